# cmake -DINPUT=<schema.avsc> -DOUTPUT=<file.cpp> -P embed_schema.cmake
# Writes a C++ source defining rivulet::ZtfAlertSchemaJson() that returns the schema text verbatim.
file(READ "${INPUT}" schema_text)
string(FIND "${schema_text}" ")rivulet_schema\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter used to embed it")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by src/sim/embed_schema.cmake; do not edit.\n"
  "#include \"sim/embedded_schema.hpp\"\n\n"
  "namespace rivulet {\n\n"
  "std::string_view ZtfAlertSchemaJson() {\n"
  "    static constexpr std::string_view kSchema = R\"rivulet_schema(${schema_text})rivulet_schema\";\n"
  "    return kSchema;\n"
  "}\n\n"
  "}  // namespace rivulet\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
