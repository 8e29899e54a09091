# vigil_embed_text(INPUT OUTPUT SYMBOL): writes a header defining `inline constexpr const char
# SYMBOL[]` with INPUT's contents, regenerated whenever INPUT changes.
function(vigil_embed_text input output symbol)
  file(READ ${input} content)
  set(delim "vigil_embed")
  file(WRITE ${output}.tmp
    "// Generated from ${input}; do not edit.\n#pragma once\n"
    "inline constexpr const char ${symbol}[] = R\"${delim}(${content})${delim}\";\n")
  configure_file(${output}.tmp ${output} COPYONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${input})
endfunction()
