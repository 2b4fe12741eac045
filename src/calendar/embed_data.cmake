# SPDX-License-Identifier: MIT
# Turns one data file into a C++ source holding its bytes as a std::string_view, so the binary needs
# no data files at run time. Called at build time: cmake -DINPUT=... -DOUTPUT=... -DSYMBOL=... -P embed_data.cmake
foreach(required INPUT OUTPUT SYMBOL)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "embed_data.cmake needs -D${required}=...")
  endif()
endforeach()
file(READ "${INPUT}" content)
string(FIND "${content}" ")tdcal\"" collision)
if(NOT collision EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )tdcal\"")
endif()
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
  "// SPDX-License-Identifier: MIT\n"
  "// Generated from src/calendar/data/${name} by embed_data.cmake; edit the data file, not this one.\n"
  "#include \"calendar/embedded_data.hpp\"\n\n"
  "namespace td::calendar::data {\n\n"
  "const std::string_view ${SYMBOL} = R\"tdcal(${content})tdcal\";\n\n"
  "}  // namespace td::calendar::data\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
