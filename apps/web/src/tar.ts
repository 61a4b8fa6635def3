/**
 * A bundle directory as one uncompressed ustar archive: a browser downloads files, not
 * folders, and `tar -xf` (GNU, BSD, Windows 10+) restores the directory as saveBundle writes it.
 */
export function tarDirectory(dir: string, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const encoder = new TextEncoder();
  const blocks: Uint8Array[] = [];
  const mtime = Math.floor(Date.now() / 1000);
  const entry = (name: string, data: Uint8Array, type: '0' | '5') => {
    const header = new Uint8Array(512);
    const put = (offset: number, length: number, value: string) => {
      header.set(encoder.encode(value).subarray(0, length), offset);
    };
    const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
    put(0, 100, name);
    put(100, 8, octal(type === '5' ? 0o755 : 0o644, 8));
    put(108, 8, octal(0, 8));
    put(116, 8, octal(0, 8));
    put(124, 12, octal(data.length, 12));
    put(136, 12, octal(mtime, 12));
    put(148, 8, '        ');
    put(156, 1, type);
    put(257, 6, 'ustar');
    put(263, 2, '00');
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    put(148, 8, `${octal(checksum, 7)}\0`);
    blocks.push(header);
    if (data.length > 0) {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  };
  entry(`${dir}/`, new Uint8Array(0), '5');
  for (const [name, data] of files) entry(`${dir}/${name}`, data, '0');
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}
