/*
 * keep_loaded.c: a dlclose() that does nothing, preloaded into tshark under valgrind.
 *
 * Wireshark unloads its plugins at exit, before memcheck's leak search runs; the stack frames
 * of a leak allocated inside an unloaded plugin then read "???" with no object, and could not
 * be told apart from anyone else's. With the plugins kept mapped, every frame is named.
 * Built by tests/valgrind/run at test time; never part of the plugin.
 */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
