/* SPDX-License-Identifier: MIT */
#include "hostkey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"

#define KEY_MODE 0600

static int read_key(int fd, const char *path, cj_hostkey *out, cj_error *err) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return cj_error_seterrno(err, errno, "%s", path);
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
                return cj_error_set(err, EPERM,
                                    "%s: the host key must be a regular file owned by uid %u with mode 0600", path,
                                    (unsigned) geteuid());
        uint8_t buf[CJ_HMAC_KEY_LEN + 1];
        ssize_t n = CJ_RETRY_EINTR(pread(fd, buf, sizeof buf, 0));
        if (n != CJ_HMAC_KEY_LEN) {
                explicit_bzero(buf, sizeof buf);
                return cj_error_set(err, EBADMSG, "%s: not a clawjail host key (%zd bytes, expected %d)", path, n,
                                    CJ_HMAC_KEY_LEN);
        }
        memcpy(out->key, buf, CJ_HMAC_KEY_LEN);
        explicit_bzero(buf, sizeof buf);
        char sha[CJ_SHA256_HEX_LEN + 1];
        cj_sha256_hex(out->key, CJ_HMAC_KEY_LEN, sha);
        memcpy(out->id, sha, CJ_HOSTKEY_ID_LEN);
        out->id[CJ_HOSTKEY_ID_LEN] = '\0';
        return 0;
}

static int create_key(const char *path, cj_error *err) {
        uint8_t key[CJ_HMAC_KEY_LEN];
        if (getrandom(key, sizeof key, 0) != (ssize_t) sizeof key)
                return cj_error_seterrno(err, errno, "getrandom");
        /* A temp name, then link(): a reader never sees a short key, and two
         * creators race to one winner. */
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.new.%ld", path, (long) getpid()) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, KEY_MODE);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "%s", tmp);
        int r = cj_write_all(fd, key, sizeof key);
        explicit_bzero(key, sizeof key);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && link(tmp, path) < 0 && errno != EEXIST)
                r = -errno;
        unlink(tmp);
        if (r < 0)
                return cj_error_seterrno(err, r, "%s", path);
        cj_fsync_parent_dir(path);
        return 0;
}

int cj_hostkey_load(const char *state_dir, bool create, cj_hostkey *out, cj_error *err) {
        _cleanup_free_ char *path = cj_path_join(state_dir, CJ_HOSTKEY_FILE);
        if (!path)
                return cj_error_set(err, ENOMEM, "out of memory");
        for (int attempt = 0; attempt < 2; attempt++) {
                _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0)
                        return read_key(fd, path, out, err);
                if (errno == ELOOP)
                        return cj_error_set(err, EPERM, "%s: the host key must not be a symlink", path);
                if (errno != ENOENT)
                        return cj_error_seterrno(err, errno, "%s", path);
                if (!create)
                        return cj_error_set(err, ENOENT, "%s: no host key", path);
                int r = cj_mkdir_p(state_dir, 0700);
                if (r < 0)
                        return cj_error_seterrno(err, r, "%s", state_dir);
                if ((r = create_key(path, err)) < 0)
                        return r;
        }
        return cj_error_set(err, EIO, "%s: cannot create the host key", path);
}

void cj_hostkey_mac(const cj_hostkey *k, const void *msg, size_t len, char out[CJ_SHA256_HEX_LEN + 1]) {
        cj_hmac_sha256_hex(k->key, CJ_HMAC_KEY_LEN, msg, len, out);
}
