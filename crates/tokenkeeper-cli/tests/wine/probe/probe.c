/* The Wine suite's look at what tokenkeeper.exe hands a command, from inside Windows:
 *   probe.exe file VAR [SECONDS]
 *                        prints the path in %VAR%, the token in that file, the DACLs of the
 *                        file and its folder (SDDL) and this user's SID, one `key=value` a line;
 *                        with SECONDS, waits that long and prints the file's token again
 *                        (`later=`);
 *   probe.exe stdin OUT  writes what comes on stdin and the TOKENKEEPER_* variables to OUT
 *                        (a hook). Built with mingw-w64 by scripts/wine.sh. */
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_dacl(const char *key, const char *path) {
    PSECURITY_DESCRIPTOR sd = NULL;
    PACL dacl = NULL;
    LPSTR text = NULL;
    DWORD err = GetNamedSecurityInfoA(path, SE_FILE_OBJECT,
                                      DACL_SECURITY_INFORMATION, NULL, NULL, &dacl, NULL, &sd);
    if (err != ERROR_SUCCESS) {
        printf("%s=error %lu\n", key, err);
        return;
    }
    if (ConvertSecurityDescriptorToStringSecurityDescriptorA(sd, SDDL_REVISION_1,
                                                             DACL_SECURITY_INFORMATION, &text, NULL)) {
        printf("%s=%s\n", key, text);
        LocalFree(text);
    } else {
        printf("%s=error %lu\n", key, GetLastError());
    }
    LocalFree(sd);
}

/* Whether this system keeps a DACL set on a file: Wine 8 takes one (success) and keeps none. */
static void print_dacls_kept(const char *dir) {
    char scratch[MAX_PATH], sddl[256];
    LPSTR user = NULL, text = NULL;
    HANDLE token;
    char buffer[256];
    DWORD len = 0;
    PSECURITY_DESCRIPTOR wanted = NULL, got = NULL;
    PACL dacl = NULL;
    BOOL present, defaulted;
    snprintf(scratch, sizeof scratch, "%s\\..\\probe-dacl.tmp", dir);
    HANDLE f = CreateFileA(scratch, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (f == INVALID_HANDLE_VALUE) { printf("dacls_kept=error\n"); return; }
    CloseHandle(f);
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token) ||
        !GetTokenInformation(token, TokenUser, buffer, sizeof buffer, &len) ||
        !ConvertSidToStringSidA(((TOKEN_USER *)buffer)->User.Sid, &user)) {
        printf("dacls_kept=error\n");
        return;
    }
    snprintf(sddl, sizeof sddl, "D:P(A;;FA;;;%s)", user);
    ConvertStringSecurityDescriptorToSecurityDescriptorA(sddl, SDDL_REVISION_1, &wanted, NULL);
    GetSecurityDescriptorDacl(wanted, &present, &dacl, &defaulted);
    SetNamedSecurityInfoA(scratch, SE_FILE_OBJECT,
                          DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                          NULL, NULL, dacl, NULL);
    GetNamedSecurityInfoA(scratch, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl,
                          NULL, &got);
    ConvertSecurityDescriptorToStringSecurityDescriptorA(got, SDDL_REVISION_1,
                                                         DACL_SECURITY_INFORMATION, &text, NULL);
    printf("dacls_kept=%s\n", text && strcmp(text, sddl) == 0 ? "yes" : "no");
    DeleteFileA(scratch);
}

static void print_user(void) {
    HANDLE token;
    char buffer[256];
    DWORD len = 0;
    LPSTR text = NULL;
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token) &&
        GetTokenInformation(token, TokenUser, buffer, sizeof buffer, &len) &&
        ConvertSidToStringSidA(((TOKEN_USER *)buffer)->User.Sid, &text)) {
        printf("user=%s\n", text);
        LocalFree(text);
    } else {
        printf("user=error %lu\n", GetLastError());
    }
}

static void read_token(const char *key, const char *path) {
    static char line[16384];
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("%s=\n", key);
        return;
    }
    size_t got = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[got] = 0;
    line[strcspn(line, "\r\n")] = 0;
    printf("%s=%s\n", key, line);
}

static int file_mode(const char *var, int wait_secs) {
    char path[MAX_PATH], dir[MAX_PATH];
    DWORD n = GetEnvironmentVariableA(var, path, sizeof path);
    if (n == 0 || n >= sizeof path) {
        printf("path=\n");
        return 3;
    }
    printf("path=%s\n", path);
    read_token("token", path);
    print_dacl("file_dacl", path);
    strcpy(dir, path);
    char *slash = strrchr(dir, '\\');
    if (slash) *slash = 0;
    print_dacl("dir_dacl", dir);
    print_dacls_kept(dir);
    print_user();
    fflush(stdout);
    if (wait_secs > 0) {
        Sleep((DWORD)wait_secs * 1000);
        read_token("later", path);
    }
    return 0;
}

static int stdin_mode(const char *out_path) {
    static char data[65536];
    size_t got = fread(data, 1, sizeof data, stdin);
    FILE *out = fopen(out_path, "wb");
    if (!out) return 5;
    const char *vars[] = {"TOKENKEEPER_ACCOUNT", "TOKENKEEPER_PROVIDER", "TOKENKEEPER_FINGERPRINT",
                          "TOKENKEEPER_EXPIRES_AT"};
    for (int i = 0; i < 4; i++) {
        char value[512];
        DWORD n = GetEnvironmentVariableA(vars[i], value, sizeof value);
        fprintf(out, "%s=%s\n", vars[i], n && n < sizeof value ? value : "");
    }
    fprintf(out, "stdin=");
    fwrite(data, 1, got, out);
    fclose(out);
    return 0;
}

int main(int argc, char **argv) {
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "file") == 0)
        return file_mode(argv[2], argc == 4 ? atoi(argv[3]) : 0);
    if (argc == 3 && strcmp(argv[1], "stdin") == 0) return stdin_mode(argv[2]);
    fprintf(stderr, "usage: probe.exe file VAR [SECONDS] | probe.exe stdin OUT\n");
    return 2;
}
