set(TD_SANITIZE "" CACHE STRING "Sanitizers to enable: address,undefined | thread")
if(TD_SANITIZE)
  add_compile_options(-fsanitize=${TD_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${TD_SANITIZE})
  # GCC 12 warns (an error under -Werror) that TSan does not model atomic_thread_fence, which Asio's scheduler
  # uses inside every Beast and Asio translation unit; the warning is about Asio's internals, not our code.
  if(TD_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
endif()

# Fuzz builds instrument every library for coverage so libFuzzer sees inside the code under test.
if(TD_BUILD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
