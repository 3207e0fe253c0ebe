/* hvterm console through H_PUT_TERM_CHAR, with a small printf. */
#ifndef PAYLOAD_CONSOLE_H
#define PAYLOAD_CONSOLE_H

#include <stdarg.h>
#include <stdint.h>

void console_set_vterm(uint64_t vterm);
void console_putc(char c);
void console_flush(void);
void console_vprintf(const char *fmt, va_list ap);
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
