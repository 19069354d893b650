#!/usr/bin/env python3
# Runs a command in a real pseudo-terminal (120x40), as a learner's terminal would: waits for each expected text,
# then types its keys; "^C" sends Ctrl-C as the terminal does (the tty turns it into SIGINT). Prints the screen
# and "EXIT <code>" at the end. Usage: pty-drive.py '<json [[text, keys], ...]>' command args...
import fcntl, json, os, pty, select, struct, sys, termios, time

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

for text, keys in script:
    end = time.time() + 30
    while text.encode() not in out and time.time() < end:
        if not read(0.1):
            break
    read(0.3)
    os.write(fd, b'\x03' if keys == '^C' else keys.encode())
while read(0.5):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.stdout.write('\nEXIT %d\n' % os.waitstatus_to_exitcode(status))
