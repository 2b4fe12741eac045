# td_module(name SOURCES ... DEPS ...): one static library per bounded context, include root is src/.
function(td_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(td_${name} STATIC ${ARG_SOURCES})
  target_include_directories(td_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(td_${name} PUBLIC ${ARG_DEPS})
  td_set_warnings(td_${name})
endfunction()

# td_test(name SOURCES ... DEPS ...): a GoogleTest executable registered with CTest.
function(td_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    TD_SOURCE_DIR="${PROJECT_SOURCE_DIR}" TD_BINARY_DIR="${PROJECT_BINARY_DIR}")
  td_set_warnings(${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "TD_SOURCE_DIR=${PROJECT_SOURCE_DIR};TD_BINARY_DIR=${PROJECT_BINARY_DIR}")
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# td_bench(name SOURCES ... DEPS ...): a benchmark program (Google Benchmark or a plain main).
function(td_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/bench)
  td_set_warnings(${name})
endfunction()

# td_fuzz(name SOURCES ... DEPS ...): a libFuzzer target (clang only, -DTD_BUILD_FUZZ=ON).
function(td_fuzz name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
endfunction()
