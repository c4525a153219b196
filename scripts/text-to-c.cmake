# text-to-c.cmake - a text file as a C string: cmake -DIN=FILE -DOUT=FILE.c
# -DNAME=C_NAME -P text-to-c.cmake writes `const char NAME[]`, the bytes
# as hexadecimal escapes (no quoting rules to get wrong), one line of the
# file per line of C.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" hex "${hex}")
# a new string literal after each newline (\x0a): short lines, and an
# escape never runs into the next one's hex digits
string(REPLACE "\\x0a" "\\x0a\"\n\t\"" hex "${hex}")
file(WRITE ${OUT} "/* generated from ${IN} by text-to-c.cmake */\nconst char ${NAME}[] =\n\t\"${hex}\";\n")
