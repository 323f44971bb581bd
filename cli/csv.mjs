// CSV text as rows (RFC 4180 quotes and doubled quotes; no line breaks inside a field): used by the
// CLI, the model-fitting script and the tests, so every reader splits a line the same way.

// The fields of one line, each trimmed.
export function csvFields(line) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field.trim()); field = ''; } else field += c;
  }
  fields.push(field.trim());
  return fields;
}

// {columns, rows}: each row an object from column name to text (a repeated column keeps its first
// value); a byte-order mark and blank lines are ignored.
export function csvTable(text) {
  const [header = '', ...lines] = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const columns = csvFields(header);
  const rows = lines.map((line) => {
    const cells = csvFields(line);
    const row = {};
    columns.forEach((name, j) => { if (name && !(name in row)) row[name] = cells[j]; });
    return row;
  });
  return { columns, rows };
}
