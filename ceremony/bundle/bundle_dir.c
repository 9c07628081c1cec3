/* Folders that bundle and import fill as temp folders before they put
 * them in place: bundle/qr and the unpacked bundle. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "core/util.h"

int
bundle_dir_temp(const char *dir, char **tmp)
{
	if (asprintf(tmp, "%s.tmp-XXXXXX", dir) == -1) {
		*tmp = NULL;
		return -1;
	}
	if (mkdtemp(*tmp) == NULL) {
		warnf("%s: cannot create: %s", *tmp, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return 0;
}

/* Folders under tmp down to dir readable by all (0755, whatever the
 * umask), like the unpacked folder itself. */
static int
dirs_open(char *dir, const char *tmp)
{
	size_t top = strlen(tmp);
	char *p;
	int rv = 0;

	for (p = dir + top + 1; rv == 0 && (p = strchr(p, '/')) != NULL;
	     p++) {
		*p = 0;
		rv = chmod(dir, 0755);
		*p = '/';
	}
	return rv == 0 ? chmod(dir, 0755) : -1;
}

int
bundle_dir_write(const char *tmp, const char *name, const void *buf,
    size_t len, unsigned mode)
{
	char *path, *slash;
	int rv;

	if (asprintf(&path, "%s/%s", tmp, name) == -1)
		return -1;
	/* a member in a subfolder (regions/R/...): make its folders */
	if ((slash = strrchr(path, '/')) > path + strlen(tmp)) {
		*slash = 0;
		rv = dir_make(path, 0755) == -1 ? -1 : dirs_open(path, tmp);
		*slash = '/';
		if (rv == -1) {
			warnf("%s: cannot make its folder", path);
			free(path);
			return -1;
		}
	}
	rv = file_write(path, buf, len, (mode_t)mode, 0);
	free(path);
	return rv;
}

int
bundle_dir_seal(const char *tmp)
{
	int fd, rv = -1;

	if ((fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1 &&
	    fchmod(fd, 0755) == 0 && fsync(fd) == 0)
		rv = 0;
	if (rv == -1)
		warnf("%s: cannot write: %s", tmp, strerror(errno));
	if (fd != -1)
		close(fd);
	return rv;
}

int
bundle_dir_rename(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* file systems without RENAME_NOREPLACE */
	if (file_exists(to)) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}
