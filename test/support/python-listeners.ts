/** Listening processes in python3 for the namespace tests (RLIMIT_NOFILE and IPV6_V6ONLY are settable there). */

/**
 * A process that sets its open-files limit to 32, listens on 0.0.0.0:`port` with `backlog`, then
 * opens /dev/null until the limit: it holds every descriptor it may have, so it cannot accept.
 * Prints `ready` once there. With `tryAccept` it keeps calling accept() (which fails with EMFILE,
 * so the accept queue fills as it would for a real service); either way it exits after `lifetimeS`.
 */
export function fdLimitListener(port: number, backlog: number, lifetimeS: number, tryAccept: boolean): string {
  return `import socket,resource,time
resource.setrlimit(resource.RLIMIT_NOFILE,(32,32))
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('0.0.0.0',${port})); s.listen(${backlog})
held=[]
try:
    while True: held.append(open('/dev/null'))
except OSError: pass
print('ready',flush=True)
end=time.time()+${lifetimeS}
while time.time()<end:
    if not ${tryAccept ? 'True' : 'False'}: time.sleep(0.5); continue
    try: held.append(s.accept()[0])
    except OSError: time.sleep(0.05)`;
}
