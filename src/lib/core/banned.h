/*
 * banned.h - functions that make buffer overflows easy, banned from the
 * library (git's banned.h).  Use rt_buf and snprintf instead.
 */
#ifndef RT_BANNED_H
#define RT_BANNED_H

#define RT_BANNED(func) sorry_##func##_is_banned_in_retort

#undef strcpy
#define strcpy(x, y) RT_BANNED(strcpy)
#undef strcat
#define strcat(x, y) RT_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) RT_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) RT_BANNED(strncat)
#undef sprintf
#define sprintf(...) RT_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) RT_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) RT_BANNED(strtok)
#undef gets
#define gets(x) RT_BANNED(gets)

#endif
