/* Small helpers every file may use: cleanup attributes and ownership moves. */
#pragma once

#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_ __attribute__((warn_unused_result))

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand ownership of a pointer out of a _cleanup_ variable. */
#define TAKE_PTR(p)                                     \
        __extension__({                                 \
                __typeof__(p) _taken_ = (p);            \
                (p) = NULL;                             \
                _taken_;                                \
        })

#define TAKE_FD(fd)                                     \
        __extension__({                                 \
                int _taken_fd_ = (fd);                  \
                (fd) = -1;                              \
                _taken_fd_;                             \
        })

static inline void freep(void *p) {
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* A NULL-terminated array of strings, each owned. */
void strv_free(char **v);
static inline void strv_freep(char ***v) {
        strv_free(*v);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
