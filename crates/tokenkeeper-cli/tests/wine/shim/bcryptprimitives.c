/* bcryptprimitives.dll for Wine 8, which lacks it: Rust's standard library (1.78 and later)
   takes its randomness from ProcessPrng there. This one asks RtlGenRandom (advapi32's
   SystemFunction036), as older Rust did. Tests under Wine only; Windows 10 and later have the
   real one. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
