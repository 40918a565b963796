/* SPDX-License-Identifier: MIT */
/* Task ids, the state dir, and listing tasks. */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "task-internal.h"
#include "util/fileio.h"
#include "util/json.h"

bool cj_task_id_valid(const char *id) {
        size_t n = 0;
        for (; id[n]; n++) {
                char c = id[n];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-'))
                        return false;
        }
        return n > 0 && n <= CJ_TASK_ID_MAX && id[0] != '.';
}

int cj_state_dir_resolve(const char *opt, char **out, cj_error *err) {
        const char *env;
        char *r = NULL;
        if (opt && *opt)
                r = strdup(opt);
        else if ((env = getenv("CLAWJAIL_STATE_DIR")) && *env)
                r = strdup(env);
        else if (geteuid() == 0)
                r = strdup("/var/lib/clawjail");
        else if ((env = getenv("XDG_STATE_HOME")) && env[0] == '/')
                r = cj_path_join(env, "clawjail");
        else {
                const char *home = getenv("HOME");
                if (!home || home[0] != '/') {
                        struct passwd *pw = getpwuid(geteuid());
                        home = pw ? pw->pw_dir : NULL;
                }
                if (!home)
                        return cj_error_set(err, ENOENT, "no state dir: set --state-dir or CLAWJAIL_STATE_DIR");
                r = cj_path_join(home, ".local/state/clawjail");
        }
        if (!r)
                return cj_error_set(err, ENOMEM, "out of memory");
        *out = r;
        return 0;
}

static int cmp(const void *a, const void *b) {
        return strcmp(json_string_value(*(json_t *const *) a), json_string_value(*(json_t *const *) b));
}

int cj_task_list(const char *state_dir, json_t **out, cj_error *err) {
        _cleanup_free_ char *tasks = cj_path_join(state_dir, "tasks");
        if (!tasks)
                return cj_error_set(err, ENOMEM, "out of memory");
        _cleanup_json_ json_t *arr = json_array();
        if (!arr)
                return cj_error_set(err, ENOMEM, "out of memory");
        _cleanup_closedir_ DIR *d = opendir(tasks);
        if (!d) {
                if (errno == ENOENT) {
                        *out = TAKE_PTR(arr);
                        return 0;
                }
                return cj_error_seterrno(err, errno, "%s", tasks);
        }
        struct dirent *de;
        size_t n = 0;
        json_t **items = NULL;
        while ((de = readdir(d)) && n < CJ_TASKS_LIST_MAX) {
                if (!cj_task_id_valid(de->d_name))
                        continue;
                _cleanup_free_ char *j = NULL;
                if (asprintf(&j, "%s/%s/journal.jsonl", tasks, de->d_name) < 0)
                        break;
                struct stat sb;
                if (stat(j, &sb) < 0)
                        continue;
                json_t **ni = realloc(items, (n + 1) * sizeof *ni);
                if (!ni)
                        break;
                items = ni;
                items[n++] = json_string(de->d_name);
        }
        qsort(items, n, sizeof *items, cmp);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, items[i]);
        free(items);
        *out = TAKE_PTR(arr);
        return 0;
}
