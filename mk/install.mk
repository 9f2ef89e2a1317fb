# Man pages, `make install` and `make uninstall` (docs/install.md).
#   make install [PREFIX=/usr/local] [DESTDIR=] [SYSCONFDIR=/etc]
# The systemd unit, the example configuration and the logrotate file come
# from dist/ and are installed only when the tree has them. SYSCONFDIR
# (empty by default) also puts the configuration in $(SYSCONFDIR)/xdpi/
# and the logrotate file in $(SYSCONFDIR)/logrotate.d/xdpi, never over an
# existing one; the Debian package sets it to /etc (debian/rules).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/xdpi
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?=

# One page per docs/man/NAME.8.scd, written by scdoc into $(BUILD)/man/.
MAN_SRCS := $(wildcard docs/man/*.scd)
MAN_PAGES := $(MAN_SRCS:docs/man/%.scd=$(BUILD)/man/%)
DOC_FILES := $(wildcard docs/*.md)
UNIT_FILE := $(wildcard dist/xdpi@.service)
CONF_FILE := $(wildcard dist/xdpi.conf)
LOGROTATE_FILE := $(wildcard dist/xdpi.logrotate)

.PHONY: man install uninstall

man: $(MAN_PAGES)

$(BUILD)/man/%: docs/man/%.scd | deps-ok
	@mkdir -p $(@D)
	$(call msg,SCDOC,$@)
	$(Q)scdoc <$< >$@.tmp && mv $@.tmp $@

install: $(BUILD)/xdpi $(MAN_PAGES)
	install -D -m 0755 $(BUILD)/xdpi $(DESTDIR)$(SBINDIR)/xdpi
	install -d -m 0755 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/
	install -D -m 0644 completion/xdpi.bash $(DESTDIR)$(BASHCOMPDIR)/xdpi
# The unit names the binary where the package puts it; another SBINDIR
# (/usr/local/sbin) is written into the installed copy.
ifneq ($(UNIT_FILE),)
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/xdpi|$(SBINDIR)/xdpi|g' $(UNIT_FILE) >$(DESTDIR)$(UNITDIR)/xdpi@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/xdpi@.service
endif
ifneq ($(CONF_FILE),)
	install -D -m 0644 $(CONF_FILE) $(DESTDIR)$(DOCDIR)/examples/xdpi.conf
ifneq ($(SYSCONFDIR),)
	[ -e $(DESTDIR)$(SYSCONFDIR)/xdpi/xdpi.conf ] || \
		install -D -m 0644 $(CONF_FILE) $(DESTDIR)$(SYSCONFDIR)/xdpi/xdpi.conf
endif
endif
ifneq ($(LOGROTATE_FILE),)
	install -D -m 0644 $(LOGROTATE_FILE) $(DESTDIR)$(DOCDIR)/examples/xdpi.logrotate
ifneq ($(SYSCONFDIR),)
	[ -e $(DESTDIR)$(SYSCONFDIR)/logrotate.d/xdpi ] || \
		install -D -m 0644 $(LOGROTATE_FILE) $(DESTDIR)$(SYSCONFDIR)/logrotate.d/xdpi
endif
endif

# Removes what install laid out with the same variables, and the
# directories that are xdpi's own once empty. A configuration in
# $(SYSCONFDIR) stays when it differs from dist/xdpi.conf: someone edited it
# (the same for the logrotate file).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/xdpi $(DESTDIR)$(BASHCOMPDIR)/xdpi \
		$(DESTDIR)$(UNITDIR)/xdpi@.service $(DESTDIR)$(DOCDIR)/examples/xdpi.conf \
		$(DESTDIR)$(DOCDIR)/examples/xdpi.logrotate \
		$(MAN_SRCS:docs/man/%.scd=$(DESTDIR)$(MANDIR)/man8/%) \
		$(DOC_FILES:docs/%=$(DESTDIR)$(DOCDIR)/%)
ifneq ($(SYSCONFDIR),)
	f=$(DESTDIR)$(SYSCONFDIR)/xdpi/xdpi.conf; \
	if [ -e "$$f" ] && ! cmp -s "$$f" $(CONF_FILE); then \
		echo "uninstall: keeping $$f (changed)"; else rm -f "$$f"; fi
	rmdir $(DESTDIR)$(SYSCONFDIR)/xdpi 2>/dev/null || true
	f=$(DESTDIR)$(SYSCONFDIR)/logrotate.d/xdpi; \
	if [ -e "$$f" ] && ! cmp -s "$$f" $(LOGROTATE_FILE); then \
		echo "uninstall: keeping $$f (changed)"; else rm -f "$$f"; fi
endif
	rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# The tests read the pages (tests/t_man.sh) and install them (t_install.sh).
check-build: $(MAN_PAGES)
