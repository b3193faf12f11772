// glibc's allocator controls: malloc_trim hands freed heap pages back to the system.
#if defined(__linux__)
#include <malloc.h>
#endif
