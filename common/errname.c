/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "errname.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"

static const struct {
        int e;
        const char *name;
} names[] = {
        { EPERM, "EPERM" },       { ENOENT, "ENOENT" },     { ESRCH, "ESRCH" },         { EIO, "EIO" },
        { E2BIG, "E2BIG" },       { EBADF, "EBADF" },       { EAGAIN, "EAGAIN" },       { ENOMEM, "ENOMEM" },
        { EACCES, "EACCES" },     { EBUSY, "EBUSY" },       { EEXIST, "EEXIST" },       { EINVAL, "EINVAL" },
        { ENOSPC, "ENOSPC" },     { EROFS, "EROFS" },       { ERANGE, "ERANGE" },       { ENOSYS, "ENOSYS" },
        { EPROTO, "EPROTO" },     { EBADMSG, "EBADMSG" },   { EMSGSIZE, "EMSGSIZE" },   { ETIMEDOUT, "ETIMEDOUT" },
        { ECONNREFUSED, "ECONNREFUSED" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { ENOTCONN, "ENOTCONN" },
        { EADDRINUSE, "EADDRINUSE" },     { EALREADY, "EALREADY" },     { ENXIO, "ENXIO" },
        { ETOOMANYREFS, "ETOOMANYREFS" }, { ENOTUNIQ, "ENOTUNIQ" },     { EFBIG, "EFBIG" },
};

const char *errno_name(int r) {
        if (r < 0)
                r = -r;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].e == r)
                        return names[i].name;
        return "EIO";
}

int errno_from_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(names[i].name, name) == 0)
                        return -names[i].e;
        return -EIO;
}
