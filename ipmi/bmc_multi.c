#include "bmc_multi.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "lib/macro.h"

struct pool {
        pthread_mutex_t lock;
        size_t next, n;
        void (*fn)(size_t i, void *userdata);
        void *userdata;
};

static void *worker(void *p) {
        struct pool *pool = p;
        for (;;) {
                pthread_mutex_lock(&pool->lock);
                size_t i = pool->next < pool->n ? pool->next++ : pool->n;
                pthread_mutex_unlock(&pool->lock);
                if (i >= pool->n)
                        return NULL;
                pool->fn(i, pool->userdata);
        }
}

int bmc_multi_run(size_t n, size_t max_in_flight, void (*fn)(size_t i, void *userdata), void *userdata) {
        struct pool pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .n = n, .fn = fn, .userdata = userdata };
        size_t workers = max_in_flight == 0 ? 1 : max_in_flight < n ? max_in_flight : n;
        if (workers <= 1) {
                worker(&pool);
                return 0;
        }
        _cleanup_free_ pthread_t *t = calloc(workers, sizeof *t);
        if (!t)
                return -ENOMEM;
        size_t started = 0;
        for (; started < workers; started++)
                if (pthread_create(&t[started], NULL, worker, &pool) != 0)
                        break;
        if (started == 0)
                return -EAGAIN;
        for (size_t i = 0; i < started; i++)
                pthread_join(t[i], NULL);
        return 0;
}
