"""Shared by the oracle generators here: assemble Power instructions with the cross binutils and read their
words back, so each generator can name instructions in assembler syntax and still emit the exact encodings."""
import re
import subprocess


def assemble_words(src, big_endian=False, stem='words'):
    """The instruction words of `src`, in program order, as 32-bit numbers (written to STEM.s in the cwd)."""
    with open(f'{stem}.s', 'w') as f:
        f.write(src)
    endian = ['-mbig'] if big_endian else []
    subprocess.check_call(['powerpc64le-linux-gnu-as', *endian, '-a64', '-mpower10', f'{stem}.s', '-o', f'{stem}.o'])
    dump = subprocess.check_output(['powerpc64le-linux-gnu-objdump', '-d', f'{stem}.o'], text=True)
    words = []
    for line in dump.splitlines():
        m = re.match(r'\s*[0-9a-f]+:\s+((?:[0-9a-f]{2} ){3}[0-9a-f]{2})', line)
        if m:
            b = m.group(1).split()
            words.append(int(''.join(b if big_endian else reversed(b)), 16))
    return words
