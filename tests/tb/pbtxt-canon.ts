// Protobuf text with map entries (attr { key ... }) in sorted order: protobuf maps are unordered, and
// TensorBoard prints them in its hash table's order, which changes between processes.
interface Block {
  line: string;
  children: Block[];
}

function parse(text: string): Block[] {
  const root: Block = { line: '', children: [] };
  const stack: Block[] = [root];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === '}') {
      stack.pop();
      continue;
    }
    const b: Block = { line, children: [] };
    stack[stack.length - 1].children.push(b);
    if (line.endsWith('{')) stack.push(b);
  }
  return root.children;
}

function canon(blocks: Block[], depth: number): string[] {
  const parts = blocks.map((b) => {
    const pad = '  '.repeat(depth);
    if (!b.line.endsWith('{')) return `${pad}${b.line}\n`;
    return `${pad}${b.line}\n${canon(b.children, depth + 1).join('')}${pad}}\n`;
  });
  // Sort runs of consecutive map entries named attr (or thread_names), leaving everything else in order.
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    out.push(...run.sort());
    run = [];
  };
  blocks.forEach((b, i) => {
    if (b.line === 'attr {' || b.line === 'thread_names {') run.push(parts[i]);
    else {
      flush();
      out.push(parts[i]);
    }
  });
  flush();
  return out;
}

export function canonicalPbtxt(text: string): string {
  return canon(parse(text), 0).join('');
}
