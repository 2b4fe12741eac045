find_program(TD_CCACHE ccache)
if(TD_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${TD_CCACHE})
endif()
