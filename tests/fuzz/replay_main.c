/*
 * replay_main: runs engine_fuzz.c's LLVMFuzzerTestOneInput on files, for compilers without
 * libFuzzer (GCC). The seed corpus and the regression inputs are replayed with it in every
 * build, under ASan and UBSan when the compiler has them.
 *
 *   engine_fuzz_replay FILE|DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, n = 0, got;
    uint8_t *data = malloc(cap);
    while ((got = fread(data + n, 1, cap - n, in)) > 0) {
        n += got;
        if (n == cap)
            data = realloc(data, cap *= 2);
    }
    fclose(in);
    LLVMFuzzerTestOneInput(data, n); /* abort()s on a violation */
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int failed = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        DIR *dir = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? opendir(argv[i]) : NULL;
        if (!dir) {
            failed |= replay_file(argv[i]);
            files++;
            continue;
        }
        for (struct dirent *ent; (ent = readdir(dir));) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], ent->d_name);
            if (ent->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                failed |= replay_file(path);
                files++;
            }
        }
        closedir(dir);
    }
    printf("engine_fuzz_replay: %d input%s replayed\n", files, files == 1 ? "" : "s");
    return failed;
}
