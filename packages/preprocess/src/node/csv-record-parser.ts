/** Result of feeding one line: a full record, or `undefined` while a quoted field spans lines. */
export type CsvPush =
  | { fields: string[]; line: number }
  | { error: string; line: number }
  | undefined;

/**
 * RFC 4180 records fed one line at a time, so a large file still streams: a quoted field may
 * hold commas, doubled quotes and line breaks. A quote inside an unquoted field is ordinary text
 * (as in Python's csv); text after a closing quote is an error.
 */
export class CsvRecordParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private startLine = 0;

  /** True while a quoted field is open (at end of input: an unterminated quote). */
  get pending(): boolean {
    return this.inQuotes;
  }

  get pendingLine(): number {
    return this.startLine;
  }

  push(line: string, lineNumber: number): CsvPush {
    if (this.inQuotes) {
      this.field += '\n';
    } else {
      this.startLine = lineNumber;
      this.fields = [];
      this.field = '';
    }
    let i = 0;
    const n = line.length;
    while (i < n) {
      if (this.inQuotes) {
        const quote = line.indexOf('"', i);
        if (quote === -1) {
          this.field += line.slice(i);
          return undefined;
        }
        this.field += line.slice(i, quote);
        if (line.charCodeAt(quote + 1) === 34) {
          this.field += '"';
          i = quote + 2;
          continue;
        }
        this.inQuotes = false;
        i = quote + 1;
        if (i < n && line.charCodeAt(i) !== 44) {
          this.reset();
          return { error: `text after a closing quote at column ${i + 1}`, line: this.startLine };
        }
        continue;
      }
      const c = line.charCodeAt(i);
      if (c === 44) {
        this.fields.push(this.field);
        this.field = '';
        i++;
      } else if (c === 34 && this.field === '' && this.atFieldStart(line, i)) {
        this.inQuotes = true;
        i++;
      } else {
        const comma = line.indexOf(',', i);
        const end = comma === -1 ? n : comma;
        this.field += line.slice(i, end);
        i = end;
      }
    }
    if (this.inQuotes) return undefined;
    this.fields.push(this.field);
    const fields = this.fields;
    this.reset();
    return { fields, line: this.startLine };
  }

  private atFieldStart(line: string, i: number): boolean {
    return i === 0 || line.charCodeAt(i - 1) === 44;
  }

  /** Drops a partly read record. */
  reset(): void {
    this.fields = [];
    this.field = '';
    this.inQuotes = false;
  }
}
