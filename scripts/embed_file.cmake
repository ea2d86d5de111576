# Turns a text file into a C++ source holding it as a string constant:
# cmake -DIN=file -DOUT=out.cc -DNAMESPACE=ns -DSYMBOL=kName -P embed_file.cmake
file(READ ${IN} CONTENT)
string(FIND "${CONTENT}" ")AHTRACE_EMBED\"" CLASH)
if(NOT CLASH EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter")
endif()
file(WRITE ${OUT} "// Generated from ${IN}. Do not edit.\n"
  "namespace ${NAMESPACE} {\n"
  "extern const char ${SYMBOL}[];\n"
  "const char ${SYMBOL}[] = R\"AHTRACE_EMBED(${CONTENT})AHTRACE_EMBED\";\n"
  "}  // namespace ${NAMESPACE}\n")
