package main

import (
	"regexp"
	"slices"
	"strings"
)

// The real Dockerfiles are not available offline, so each synthetic
// Dockerfile's FROM is inferred: from the distribution named in the
// entry's tags ("-bookworm", "-alpine3.24", "-noble", "-slim") and the
// library's lineage as docker-library maintains it (buildpack-deps'
// curl -> scm -> full chain, the language images on buildpack-deps or a
// slim Debian, PHP applications on php, Java applications on
// eclipse-temurin, elixir on erlang, ...). A candidate is kept only when
// the library has that tag for every architecture of the source: the
// first such candidate wins; none gives FROM scratch.

// baseRepos are built from scratch (or from images outside the library).
var baseRepos = set("alpine", "alt", "almalinux", "amazonlinux", "archlinux", "busybox", "cirros", "clearlinux", "debian",
	"fedora", "hello-world", "mageia", "oraclelinux", "photon", "rockylinux", "ubuntu")

var (
	debianCodenames = []string{"forky", "trixie", "bookworm", "bullseye", "buster", "sid"}
	debianNumbers   = map[string]string{"debian13": "trixie", "debian12": "bookworm", "debian11": "bullseye"}
	ubuntuCodenames = []string{"resolute", "questing", "plucky", "oracular", "noble", "jammy", "focal"}
	alpineVersion   = regexp.MustCompile(`^alpine(3\.\d+)$`)
	minorVersion    = regexp.MustCompile(`^3\.\d+$`)
	javaVersion     = regexp.MustCompile(`^(?:jdk|jre|java)(\d+)$`)
	number          = regexp.MustCompile(`^\d+$`)
	phpVersion      = regexp.MustCompile(`^php(\d+\.\d+)$`)
)

// distro is the distribution an entry's tags name.
type distro struct {
	name string // debian, ubuntu, alpine, oraclelinux, almalinux, amazonlinux; "" for none
	ver  string // a codename or version; "" for the latest
	slim bool
}

// detectDistro reads the distribution from the tags' dash-separated
// tokens; a versioned alpine wins over a bare one.
func detectDistro(tags []string) distro {
	var d distro
	for _, t := range tags {
		toks := strings.Split(t, "-")
		for i, tok := range toks {
			if tok == "slim" {
				d.slim = true
			}
			if d.name != "" && (d.name != "alpine" || d.ver != "") {
				continue
			}
			switch m := alpineVersion.FindStringSubmatch(tok); {
			case m != nil:
				d.name, d.ver = "alpine", m[1]
			case tok == "alpine" && i+1 < len(toks) && minorVersion.MatchString(toks[i+1]):
				d.name, d.ver = "alpine", toks[i+1]
			case tok == "alpine":
				d.name = "alpine"
			case slices.Contains(debianCodenames, tok):
				d.name, d.ver = "debian", tok
			case slices.Contains(ubuntuCodenames, tok):
				d.name, d.ver = "ubuntu", tok
			case strings.HasPrefix(tok, "oraclelinux") && number.MatchString(strings.TrimPrefix(tok, "oraclelinux")):
				d.name, d.ver = "oraclelinux", strings.TrimPrefix(tok, "oraclelinux")
			case strings.HasPrefix(tok, "almalinux") && number.MatchString(strings.TrimPrefix(tok, "almalinux")):
				d.name, d.ver = "almalinux", strings.TrimPrefix(tok, "almalinux")
			case debianNumbers[tok] != "":
				d.name, d.ver = "debian", debianNumbers[tok]
			case strings.HasPrefix(tok, "fedora") && number.MatchString(strings.TrimPrefix(tok, "fedora")):
				d.name, d.ver = "fedora", strings.TrimPrefix(tok, "fedora")
			case tok == "amazonlinux2023" || tok == "amazonlinux2":
				d.name, d.ver = "amazonlinux", strings.TrimPrefix(tok, "amazonlinux")
			case tok == "al2023":
				d.name, d.ver = "amazonlinux", "2023"
			case tok == "al2":
				d.name, d.ver = "amazonlinux", "2"
			case tok == "ubuntu":
				d.name = "ubuntu"
			}
		}
	}
	return d
}

// os is the base image of d.
func (d distro) os() []string {
	switch d.name {
	case "debian":
		if d.slim {
			return []string{"debian:" + d.ver + "-slim", "debian:" + d.ver}
		}
		return []string{"debian:" + d.ver, "debian:" + d.ver + "-slim"}
	case "ubuntu":
		if d.ver == "" {
			return []string{"ubuntu:latest"}
		}
		return []string{"ubuntu:" + d.ver}
	case "alpine":
		if d.ver == "" {
			return []string{"alpine:latest"}
		}
		return []string{"alpine:" + d.ver, "alpine:latest"}
	case "oraclelinux":
		return []string{"oraclelinux:" + d.ver + "-slim", "oraclelinux:" + d.ver}
	case "almalinux":
		return []string{"almalinux:" + d.ver + "-minimal", "almalinux:" + d.ver}
	case "amazonlinux":
		return []string{"amazonlinux:" + d.ver}
	case "fedora":
		return []string{"fedora:" + d.ver}
	}
	return nil
}

// Repositories by the family of images they are built on.
var (
	// on buildpack-deps:CODENAME (golang and rust on -scm), a slim
	// Debian or alpine
	buildpackUsers = set("erlang", "gcc", "golang", "haskell", "haxe", "node", "perl", "pypy", "python", "rakudo-star", "ruby", "rust")
	phpApps        = set("adminer", "backdrop", "composer", "drupal", "espocrm", "friendica", "joomla", "matomo", "mediawiki",
		"monica", "nextcloud", "phpmyadmin", "postfixadmin", "wordpress", "yourls")
	javaApps = set("cassandra", "clojure", "flink", "gradle", "groovy", "jetty", "jruby", "liquibase", "lightstreamer", "maven",
		"orientdb", "solr", "sonarqube", "spark", "storm", "tomcat", "tomee", "zookeeper")
	nodeApps = set("ghost", "mongo-express", "rocket.chat")
	// the Debian release of those whose default variant names none
	defaultDistro = map[string]string{"erlang": "trixie", "elixir": "trixie", "gcc": "trixie", "perl": "trixie"}
	// the base of those whose tags name no distribution
	defaultBase = map[string][]string{
		"aerospike": {"ubuntu:noble"}, "api-firewall": {"alpine:latest"}, "arangodb": {"alpine:latest"},
		"bonita": {"ubuntu:noble"}, "caddy": {"alpine:latest"}, "couchbase": {"ubuntu:noble"}, "couchdb": {"debian:bookworm-slim"},
		"crate": {"almalinux:9"}, "dart": {"debian:bookworm-slim"}, "eclipse-mosquitto": {"alpine:latest"},
		"eggdrop": {"alpine:latest"}, "elasticsearch": {"ubuntu:noble"}, "emqx": {"debian:bookworm-slim"},
		"hitch": {"debian:trixie-slim"}, "ibmjava": {"ubuntu:noble"}, "kibana": {"ubuntu:noble"}, "kong": {"ubuntu:noble"},
		"krakend": {"alpine:latest"}, "logstash": {"ubuntu:noble"}, "mariadb": {"ubuntu:noble"}, "mongo": {"ubuntu:noble"},
		"mysql": {"oraclelinux:9-slim"}, "nats": {"alpine:latest"}, "odoo": {"ubuntu:noble"}, "percona": {"oraclelinux:9"},
		"r-base": {"debian:testing", "debian:sid"}, "rabbitmq": {"ubuntu:noble"}, "registry": {"alpine:latest"},
		"sapmachine": {"ubuntu:noble"}, "silverpeas": {"ubuntu:noble"}, "spiped": {"debian:trixie-slim"},
		"swipl": {"debian:trixie-slim"}, "teamspeak": {"alpine:latest"}, "traefik": {"alpine:latest"},
		"varnish": {"debian:trixie-slim"}, "znc": {"alpine:latest"},
		"chronograf": {"debian:bookworm-slim"}, "influxdb": {"buildpack-deps:bookworm-curl"},
		"kapacitor": {"buildpack-deps:bookworm-curl"}, "telegraf": {"buildpack-deps:bookworm-curl"},
		"xwiki": {"tomcat:latest"}, "websphere-liberty": {"ibmjava:8-jre", "ibmjava:latest"},
		"open-liberty": {"ibm-semeru-runtimes:open-21-jre-noble", "ubuntu:noble"},
	}
)

// parentCandidates lists, best first, the "repo:tag"s an entry of repo
// with tags is likely built FROM.
func parentCandidates(repo string, tags []string) []string {
	if baseRepos[repo] || len(tags) == 0 {
		return nil
	}
	d := detectDistro(tags)
	if d.name == "" && defaultDistro[repo] != "" {
		d.name, d.ver = "debian", defaultDistro[repo]
	}
	first := tags[0]
	var c []string
	switch {
	case repo == "buildpack-deps":
		switch {
		case strings.HasSuffix(first, "-curl"):
			c = distro{name: d.name, ver: d.ver}.os()
		case strings.HasSuffix(first, "-scm"):
			c = []string{"buildpack-deps:" + strings.TrimSuffix(first, "-scm") + "-curl"}
		default:
			c = []string{"buildpack-deps:" + first + "-scm"}
		}
	case repo == "docker":
		switch {
		case strings.Contains(first, "dind-rootless"):
			c = []string{"docker:" + strings.Replace(first, "dind-rootless", "dind", 1)}
		case strings.Contains(first, "dind"):
			c = []string{"docker:" + strings.Replace(first, "dind", "cli", 1)}
		}
	case repo == "nginx":
		switch {
		case strings.HasSuffix(first, "-perl") || strings.HasSuffix(first, "-otel"):
			c = []string{"nginx:" + first[:strings.LastIndexByte(first, '-')]}
		case d.name == "alpine" && !d.slim:
			c = []string{"nginx:" + first + "-slim"}
		}
	case repo == "rabbitmq" && strings.Contains(first, "-management"):
		c = []string{"rabbitmq:" + strings.Replace(first, "-management", "", 1)}
	case repo == "ros":
		c = rosParent(first)
	case repo == "elixir":
		c = elixirParent(tags, d)
	case buildpackUsers[repo] && (d.name == "debian" || d.name == "ubuntu") && !d.slim:
		scm := ""
		if repo == "golang" || repo == "rust" {
			scm = "-scm"
		}
		c = []string{"buildpack-deps:" + d.ver + scm}
	case phpApps[repo]:
		c = phpParent(tags, d)
	case javaApps[repo]:
		c = javaParent(tags, d)
	case nodeApps[repo]:
		c = familyParent("node", d)
	case repo == "redmine" || repo == "fluentd":
		c = familyParent("ruby", d)
	case repo == "satosa" || repo == "plone":
		c = familyParent("python", d)
	}
	if p := pythonTag(tags); p != "" && repo != "python" {
		c = append([]string{p}, c...) // hylang: "…-python3.15-rc-trixie" FROM python:3.15-rc-trixie
	}
	c = append(c, d.os()...)
	return append(c, defaultBase[repo]...)
}

// familyParent is an image of the family (node, ruby, python) on the
// distribution d.
func familyParent(family string, d distro) []string {
	switch d.name {
	case "alpine":
		if d.ver != "" {
			return []string{family + ":alpine" + d.ver, family + ":alpine"}
		}
		return []string{family + ":alpine"}
	case "debian":
		return []string{family + ":slim-" + d.ver, family + ":" + d.ver + "-slim", family + ":" + d.ver}
	}
	return []string{family + ":slim", family + ":latest"}
}

// rosParent is the ROS image a ROS variant is built on: ros-core on
// Ubuntu (by the codename in its tags), ros-base on ros-core, the rest on
// ros-base.
func rosParent(first string) []string {
	dist, _, _ := strings.Cut(first, "-")
	switch {
	case strings.Contains(first, "ros-core"):
		return nil
	case strings.Contains(first, "ros-base"):
		return []string{"ros:" + dist + "-ros-core"}
	}
	return []string{"ros:" + dist + "-ros-base"}
}

func elixirParent(tags []string, d distro) []string {
	otp := ""
	for _, t := range tags {
		toks := strings.Split(t, "-")
		for i, tok := range toks {
			if tok == "otp" && i+1 < len(toks) && number.MatchString(toks[i+1]) && otp == "" {
				otp = toks[i+1]
			}
		}
	}
	variant := ""
	switch {
	case d.name == "alpine":
		variant = "alpine"
	case d.slim:
		variant = "slim"
	}
	var c []string
	if otp != "" {
		c = append(c, "erlang:"+join(otp, variant))
	}
	if variant == "" {
		return append(c, "erlang:latest")
	}
	return append(c, "erlang:"+variant)
}

func phpParent(tags []string, d distro) []string {
	ver, fpm, apache := "", false, false
	for _, t := range tags {
		for _, tok := range strings.Split(t, "-") {
			if m := phpVersion.FindStringSubmatch(tok); m != nil && ver == "" {
				ver = m[1]
			}
			fpm = fpm || tok == "fpm"
			apache = apache || tok == "apache"
		}
	}
	variant := "apache"
	switch {
	case fpm && d.name == "alpine":
		variant = "fpm-alpine"
	case fpm:
		variant = "fpm"
	case apache:
	case d.name == "alpine":
		variant = "alpine"
	}
	versions := []string{""}
	if ver != "" {
		versions = []string{ver, ""} // the versioned candidates first
	}
	var c []string
	for _, v := range versions {
		if d.name == "debian" {
			c = append(c, "php:"+join(v, variant, d.ver))
		}
		c = append(c, "php:"+join(v, variant))
	}
	return c
}

func javaParent(tags []string, d distro) []string {
	ver, kind := "", "jdk"
	for _, t := range tags {
		toks := strings.Split(t, "-")
		for i, tok := range toks {
			if strings.HasPrefix(tok, "jre") {
				kind = "jre"
			}
			if ver != "" {
				continue
			}
			if m := javaVersion.FindStringSubmatch(tok); m != nil {
				ver = m[1]
			} else if (tok == "jre" || tok == "jdk" || tok == "java" || tok == "temurin") && i+1 < len(toks) && number.MatchString(toks[i+1]) {
				ver = toks[i+1]
			}
		}
	}
	if ver == "" {
		return []string{"eclipse-temurin:latest"}
	}
	var c []string
	switch d.name {
	case "ubuntu":
		if d.ver != "" {
			c = append(c, "eclipse-temurin:"+join(ver, kind, d.ver))
		}
	case "alpine":
		if d.ver != "" {
			c = append(c, "eclipse-temurin:"+join(ver, kind, "alpine", d.ver))
		}
		c = append(c, "eclipse-temurin:"+join(ver, kind, "alpine"))
	}
	return append(c, "eclipse-temurin:"+join(ver, kind), "eclipse-temurin:"+ver)
}

// pythonTag is python:REST for a tag with a "-pythonREST" part.
func pythonTag(tags []string) string {
	for _, t := range tags {
		if i := strings.Index(t, "python"); i >= 0 && (i == 0 || t[i-1] == '-') {
			if rest := t[i+len("python"):]; rest != "" && rest[0] >= '0' && rest[0] <= '9' {
				return "python:" + rest
			}
		}
	}
	return ""
}

// join joins the non-empty parts with "-".
func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "-")
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
