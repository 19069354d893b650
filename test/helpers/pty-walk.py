#!/usr/bin/env python3
# A learner's walk in a real pseudo-terminal (120x40): each step waits for its text to appear AFTER the previous
# step's (so the same prompt asked again is waited for again), up to its own bound in seconds (default 60), then
# types its keys ("^C" is Ctrl-C). A step that never sees its text ends the walk: "TIMEOUT <text>" and the child is
# killed. Prints the screen and "EXIT <code>". Usage: pty-walk.py '<json [[text, keys, seconds?], ...]>' command args...
import fcntl, json, os, pty, select, signal, struct, sys, termios, time

script = json.loads(sys.argv[1])
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
out = b''

def read(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out += data
    return True

pos = 0
for step in script:
    text, keys = step[0], step[1]
    bound = step[2] if len(step) > 2 else 60
    end = time.time() + bound
    found = -1
    while time.time() < end:
        found = out.find(text.encode(), pos)
        if found >= 0:
            break
        if not read(0.1):
            break
    if found < 0:
        found = out.find(text.encode(), pos)
    if found < 0:
        sys.stdout.write(out.decode(errors='replace'))
        sys.stdout.write('\nTIMEOUT %s\n' % text)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.exit(124)
    pos = found + len(text)
    read(0.3)
    os.write(fd, b'\x03' if keys == '^C' else keys.encode())
end = time.time() + 60
while time.time() < end and read(0.5):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.stdout.write('\nEXIT %d\n' % os.waitstatus_to_exitcode(status))
