/* What clang's mm_malloc.h (reached from immintrin.h in ring's C) takes from <stdlib.h>, for
   type checks of the macOS targets from Linux without Apple's SDK. Never linked. */
#pragma once
#include <stddef.h>
void *malloc(size_t size);
void free(void *ptr);
