{
  # rstwatch's own libpcap binding (N-API, C). Built by scripts/setup.sh:
  #   node node_modules/node-gyp/bin/node-gyp.js rebuild --directory native --nodedir=/usr
  # Needs Debian's libpcap-dev (pcap.h, libpcap.so). See native/README.md.
  "targets": [
    {
      "target_name": "rstwatch_pcap",
      "sources": ["src/rstwatch_pcap.c", "src/capture_thread.c", "src/frame_queue.c", "src/privileges.c", "src/link_watch.c", "src/polled.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter"],
      # common.gypi builds Release with -O3; the house choice is -O2 (appended, so it wins).
      "cflags_c": ["-std=gnu11", "-O2"],
      "libraries": ["-lpcap", "-lpthread"]
    }
  ]
}
