# syntax=docker/dockerfile:1
# rstwatch live as a container image: `docker build -t rstwatch .`
# How to run it (capabilities, Kubernetes): docs/live.md. test/deploy/dockerfile.test.ts checks this
# file against the repository; it cannot build the image (no container engine runs in CI).

# --- build: the package as npm packs it, installed the way a user installs it ------------------
FROM node:20-bookworm AS build
WORKDIR /src
COPY . .
# npm ci: the dev tools that build dist/ (tsc, esbuild). npm pack runs the build (prepack) and
# writes the tarball that `npm install -g` takes on any machine; that install builds native/ (the
# libpcap binding) and the optional `cap` addon with node-gyp, against /usr/local/include/node
# (npm_config_nodedir), so node-gyp downloads no headers. The addon's build is only a warning when
# it fails at install (replay works without it); this image is for `live`, so it must be there.
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap-dev \
 && npm ci --no-audit --no-fund --loglevel=error \
 && npm pack --silent \
 && npm install -g --prefix /opt/rstwatch --no-audit --no-fund --loglevel=error ./rstwatch-*.tgz \
 && test -f /opt/rstwatch/lib/node_modules/rstwatch/native/build/Release/rstwatch_pcap.node

# --- runtime --------------------------------------------------------------------------------------
FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="rstwatch" \
      org.opencontainers.image.description="Tells, from the wire, which TCP connections are refused, by whom and why; Prometheus metrics on :7465" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.documentation="docs/live.md"

# libpcap0.8: the runtime library the binding links. iproute2: `ss`, through which the cause
# classifier reads listen backlogs and IPV6_V6ONLY (sock_diag; docs/diagnose.md). libcap2-bin only
# for setcap, purged again.
#
# File capability: CAP_NET_RAW (open a packet socket) on a copy of the node binary used only by
# rstwatch. Set on /usr/local/bin/node itself, every node process in the image (a `docker exec ...
# node`, an npm script) would get it; the copy keeps plain `node` (used by HEALTHCHECK) unprivileged,
# at the cost of a second ~100 MB binary. `+ep`: permitted and effective at exec, since node does not
# raise capabilities itself; no `i`, the inheritable set plays no part here.
# The capability is only granted if the container's bounding set has NET_RAW (Docker's default
# set does; Kubernetes: capabilities.add [NET_RAW]); without it the exec fails with EPERM.
# setcap runs in this stage, on this layer: a COPY --from does not reliably carry the xattr.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 iproute2 libcap2-bin \
 && cp /usr/local/bin/node /usr/local/bin/rstwatch-node \
 && setcap cap_net_raw+ep /usr/local/bin/rstwatch-node \
 && getcap /usr/local/bin/rstwatch-node | grep -q cap_net_raw \
 && apt-get purge -y --auto-remove libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 rstwatch \
 && useradd --system --uid 10001 --gid rstwatch --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin rstwatch

# The installed package as it is: dist/ (one bundle with its chunks: no runtime dependencies but
# the optional cap), the built addon, package.json.
COPY --from=build /opt/rstwatch/lib/node_modules/rstwatch /app
WORKDIR /app

ENV NODE_ENV=production
# Numeric, so that Kubernetes can check runAsNonRoot without an /etc/passwd lookup.
USER 10001:10001
# The default --listen port (outside the 9100-9999 exporter range).
EXPOSE 7465
# Plain node (no capabilities needed); follows RSTWATCH_LISTEN's port when it is set.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const l=process.env.RSTWATCH_LISTEN||':7465';fetch('http://127.0.0.1:'+l.slice(l.lastIndexOf(':')+1)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/rstwatch-node", "/app/dist/rstwatch.js", "live"]
