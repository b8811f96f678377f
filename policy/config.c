/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "paths.h"

/* make AUTO_ALLOCATE=no: the test build, whose tests create accounts with
 * a daemon running and expect them to hold nothing. */
#ifndef SUBID_AUTO_ALLOCATE_DEFAULT
#define SUBID_AUTO_ALLOCATE_DEFAULT true
#endif

/* The file is a few hundred bytes; anything huge is a mistake. */
#define CONFIG_MAX_SIZE (64 * 1024)
#define CONFIG_MAX_LINE 512

typedef enum key_type { KEY_ID, KEY_COUNT, KEY_BOOL } key_type;

static const struct {
        const char *name;
        key_type type;
        size_t offset;
} keys[] = {
        { "sub_uid_min", KEY_ID, offsetof(subid_config, sub_uid_min) },
        { "sub_uid_max", KEY_ID, offsetof(subid_config, sub_uid_max) },
        { "sub_uid_count", KEY_COUNT, offsetof(subid_config, sub_uid_count) },
        { "sub_gid_min", KEY_ID, offsetof(subid_config, sub_gid_min) },
        { "sub_gid_max", KEY_ID, offsetof(subid_config, sub_gid_max) },
        { "sub_gid_count", KEY_COUNT, offsetof(subid_config, sub_gid_count) },
        { "auto_uid_min", KEY_ID, offsetof(subid_config, auto_uid_min) },
        { "auto_uid_max", KEY_ID, offsetof(subid_config, auto_uid_max) },
        { "self_service", KEY_BOOL, offsetof(subid_config, self_service) },
        { "auto_allocate", KEY_BOOL, offsetof(subid_config, auto_allocate) },
};

void config_defaults(subid_config *ret) {
        *ret = (subid_config) {
                .sub_uid_min = 100000,
                .sub_uid_max = 600100000,
                .sub_uid_count = 65536,
                .sub_gid_min = 100000,
                .sub_gid_max = 600100000,
                .sub_gid_count = 65536,
                .auto_uid_min = 1000,
                .auto_uid_max = 60000,
                .self_service = false,
                .auto_allocate = SUBID_AUTO_ALLOCATE_DEFAULT,
        };
}

static char *trim(char *s) {
        char *end;

        while (*s == ' ' || *s == '\t')
                s++;
        end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
                *--end = '\0';
        return s;
}

static int parse_value(key_type type, const char *value, void *field) {
        if (type == KEY_BOOL) {
                if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
                        *(bool *) field = true;
                else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
                        *(bool *) field = false;
                else
                        return -EINVAL;
                return 0;
        }
        return type == KEY_ID ? parse_id(value, field) : parse_count(value, field);
}

static int check_pool(const char *what, uint32_t min, uint32_t max, uint32_t count, char *err, size_t err_size) {
        if (min == 0) {
                snprintf(err, err_size, "%s pool must not include id 0", what);
                return -EINVAL;
        }
        if (min > max) {
                snprintf(err, err_size, "%s pool minimum %u is above its maximum %u", what, min, max);
                return -EINVAL;
        }
        if ((uint64_t) count > (uint64_t) max - min + 1) {
                snprintf(err, err_size, "%s count %u does not fit in the pool %u-%u", what, count, min, max);
                return -EINVAL;
        }
        return 0;
}

int config_parse(const char *text, size_t len, const char *path, subid_config *ret, char *err, size_t err_size) {
        subid_config c;
        bool seen[ELEMENTSOF(keys)] = {};
        size_t line_no = 0, pos = 0;
        int r;

        config_defaults(&c);
        while (pos < len) {
                char line[CONFIG_MAX_LINE + 1];
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - (text + pos)) : len - pos;
                char *key, *value, *eq;
                size_t k;

                line_no++;
                if (n > CONFIG_MAX_LINE) {
                        snprintf(err, err_size, "%s:%zu: line too long", path, line_no);
                        return -EINVAL;
                }
                memcpy(line, text + pos, n);
                line[n] = '\0';
                pos += n + 1;
                if (strlen(line) != n) {
                        snprintf(err, err_size, "%s:%zu: NUL byte in line", path, line_no);
                        return -EINVAL;
                }

                key = trim(line);
                if (*key == '\0' || *key == '#')
                        continue;
                eq = strchr(key, '=');
                if (!eq) {
                        snprintf(err, err_size, "%s:%zu: expected 'key = value'", path, line_no);
                        return -EINVAL;
                }
                *eq = '\0';
                key = trim(key);
                value = trim(eq + 1);

                for (k = 0; k < ELEMENTSOF(keys); k++)
                        if (strcmp(keys[k].name, key) == 0)
                                break;
                if (k == ELEMENTSOF(keys)) {
                        snprintf(err, err_size, "%s:%zu: unknown key '%s'", path, line_no, key);
                        return -EINVAL;
                }
                if (seen[k]) {
                        snprintf(err, err_size, "%s:%zu: '%s' set twice", path, line_no, key);
                        return -EINVAL;
                }
                seen[k] = true;
                r = parse_value(keys[k].type, value, (char *) &c + keys[k].offset);
                if (r < 0) {
                        snprintf(err, err_size, "%s:%zu: invalid value '%s' for %s", path, line_no, value, key);
                        return -EINVAL;
                }
        }

        r = check_pool("subuid", c.sub_uid_min, c.sub_uid_max, c.sub_uid_count, err, err_size);
        if (r < 0)
                return r;
        r = check_pool("subgid", c.sub_gid_min, c.sub_gid_max, c.sub_gid_count, err, err_size);
        if (r < 0)
                return r;
        if (c.auto_uid_min > c.auto_uid_max) {
                snprintf(err, err_size, "%s: auto_uid_min %u is above auto_uid_max %u", path, c.auto_uid_min,
                         c.auto_uid_max);
                return -EINVAL;
        }
        *ret = c;
        return 0;
}

int config_load(const char *path, subid_config *ret) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -1;
        char err[512];
        struct stat st;
        ssize_t k;
        size_t len = 0;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT) {
                        config_defaults(ret);
                        return 0;
                }
                return log_error_errno(negative_errno(), "cannot open %s", path);
        }
        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "cannot stat %s", path);
        if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_SIZE) {
                log_error("%s is not a regular file of at most %d bytes", path, CONFIG_MAX_SIZE);
                return -EINVAL;
        }
        buf = malloc(CONFIG_MAX_SIZE + 1);
        if (!buf)
                return -ENOMEM;
        while ((k = read(fd, buf + len, CONFIG_MAX_SIZE + 1 - len)) > 0)
                len += (size_t) k;
        if (k < 0)
                return log_error_errno(negative_errno(), "cannot read %s", path);
        if (len > CONFIG_MAX_SIZE) {
                log_error("%s is larger than %d bytes", path, CONFIG_MAX_SIZE);
                return -EFBIG;
        }
        r = config_parse(buf, len, path, ret, err, sizeof err);
        if (r < 0) {
                log_error("%s", err);
                return r;
        }
        return 0;
}
