# ccache with paths made relative to the source tree and the working directory left out of the hash, so a
# fresh clone in another folder (CI) reuses objects compiled from an earlier clone.
find_program(TD_CCACHE ccache)
if(TD_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros
      ${TD_CCACHE})
endif()
