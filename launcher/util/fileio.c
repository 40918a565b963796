/* SPDX-License-Identifier: MIT */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int cj_read_fd(int fd, size_t max, char **out, size_t *len_out, cj_error *err) {
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return cj_error_set(err, ENOMEM, "out of memory");
        for (;;) {
                if (len == cap) {
                        if (cap > max)
                                break;
                        size_t ncap = cap * 2;
                        char *nb = realloc(buf, ncap + 1);
                        if (!nb)
                                return cj_error_set(err, ENOMEM, "out of memory");
                        buf = nb;
                        cap = ncap;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return cj_error_seterrno(err, errno, "read");
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max)
                        return cj_error_set(err, EFBIG, "input larger than the limit of %zu bytes", max);
        }
        if (len > max)
                return cj_error_set(err, EFBIG, "input larger than the limit of %zu bytes", max);
        buf[len] = '\0';
        if (len_out)
                *len_out = len;
        *out = TAKE_PTR(buf);
        return 0;
}

int cj_read_file(const char *path, size_t max, char **out, size_t *len_out, cj_error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "%s", path);
        int r = cj_read_fd(fd, max, out, len_out, err);
        if (r < 0)
                return cj_error_prefix(err, "%s: ", path);
        return 0;
}

int cj_write_all(int fd, const void *buf, size_t len) {
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int cj_fsync_parent_dir(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_close_ int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        if (fsync(dfd) < 0)
                return -errno;
        return 0;
}

int cj_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode, cj_error *err) {
        size_t plen = strlen(path);
        _cleanup_free_ char *tmp = malloc(plen + 16);
        if (!tmp)
                return cj_error_set(err, ENOMEM, "out of memory");
        snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "%s: cannot create temporary file", path);
        int r = cj_write_all(fd, buf, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return cj_error_seterrno(err, r, "%s", path);
        }
        r = cj_fsync_parent_dir(path);
        if (r < 0)
                return cj_error_seterrno(err, r, "%s: fsync of directory", path);
        return 0;
}



int cj_write_file_inplace(const char *path, const void *buf, size_t len, mode_t mode, cj_error *err) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "%s", path);
        const char *p = buf;
        size_t done = 0;
        while (done < len) {
                ssize_t n = pwrite(fd, p + done, len - done, (off_t) done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return cj_error_seterrno(err, errno, "%s", path);
                done += (size_t) n;
        }
        if (ftruncate(fd, (off_t) len) < 0)
                return cj_error_seterrno(err, errno, "%s: truncate", path);
        return 0;
}

int cj_mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

char *cj_path_join(const char *a, const char *b) {
        size_t la = strlen(a);
        while (la > 1 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        size_t lb = strlen(b);
        char *r = malloc(la + lb + 2);
        if (!r)
                return NULL;
        memcpy(r, a, la);
        size_t n = la;
        if (lb > 0) {
                if (n == 0 || r[n - 1] != '/')
                        r[n++] = '/';
                memcpy(r + n, b, lb);
                n += lb;
        }
        r[n] = '\0';
        return r;
}

bool cj_path_is_under(const char *path, const char *root) {
        size_t lr = strlen(root);
        if (lr == 1 && root[0] == '/')
                return path[0] == '/';
        if (strncmp(path, root, lr) != 0)
                return false;
        return path[lr] == '\0' || path[lr] == '/';
}

char *cj_path_normalize(const char *path) {
        if (!path || path[0] != '/') {
                errno = EINVAL;
                return NULL;
        }
        size_t len = strlen(path);
        char *out = malloc(len + 2);
        if (!out)
                return NULL;
        size_t o = 0;
        const char *s = path;
        while (*s) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                const char *e = strchrnul(s, '/');
                size_t n = (size_t) (e - s);
                if (n == 1 && s[0] == '.') {
                        /* skip */
                } else if (n == 2 && s[0] == '.' && s[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else {
                        out[o++] = '/';
                        memcpy(out + o, s, n);
                        o += n;
                }
                s = e;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = '\0';
        return out;
}

ssize_t cj_read_line(FILE *in, size_t max, char **buf, size_t *cap, bool *too_long) {
        size_t n = 0;
        int ch;
        *too_long = false;
        while ((ch = getc(in)) != EOF && ch != '\n') {
                if (n >= max) {
                        *too_long = true;
                        continue;
                }
                if (n + 1 >= *cap) {
                        size_t nc = *cap ? *cap * 2 : 4096;
                        char *nb = realloc(*buf, nc);
                        if (!nb)
                                return -ENOMEM;
                        *buf = nb;
                        *cap = nc;
                }
                (*buf)[n++] = (char) ch;
        }
        if (ch == EOF && n == 0 && !*too_long)
                return -1;
        if (*buf)
                (*buf)[n] = '\0';
        return (ssize_t) n;
}
