# Warnings are errors on our own targets only; third-party headers come in as SYSTEM includes.
function(td_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wformat=2 -Werror)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false positives inside std::variant/std::optional under -O2 (GCC bug 105329 family).
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-null-dereference
      -Wno-array-bounds -Wno-stringop-overflow -Wno-restrict -Wno-dangling-reference)
  endif()
endfunction()
