import { mergeFields } from './merge-fields';

const DATA = { FIRST_NAME: 'John', LAST_NAME: 'Smith', AGE: '30', 'ORDER.ID': 'A-17', 'SEAT-NO': '12C' };

describe('mergeFields', () => {
  it.each<[string, string, string]>([
    ['an upper-case tag', 'Hi {{FIRST_NAME}}!', 'Hi John!'],
    ['a lower-case tag', 'Hi {{first_name}}!', 'Hi John!'],
    ['a mixed-case tag', 'Hi {{First_Name}}!', 'Hi John!'],
    ['spaces inside the braces', 'Hi {{ FIRST_NAME }}!', 'Hi John!'],
    ['tabs and several spaces inside the braces', 'Hi {{\t  first_name \t}}!', 'Hi John!'],
    ['several tags', '{{FIRST_NAME}} {{LAST_NAME}}, {{AGE}}', 'John Smith, 30'],
    ['the same tag twice', '{{AGE}}/{{age}}', '30/30'],
    ['tags without separators', '{{FIRST_NAME}}{{LAST_NAME}}', 'JohnSmith'],
    ['a name with a dot', 'Order {{order.id}}', 'Order A-17'],
    ['a name with a dash', 'Seat {{seat-no}}', 'Seat 12C'],
    ['a tag inside extra braces', '{{{FIRST_NAME}}}', '{John}'],
    ['a multi-line text', 'Dear {{FIRST_NAME}},\nyour seat: {{SEAT-NO}}', 'Dear John,\nyour seat: 12C'],
  ])('merges %s', (_case, text, expected) => {
    expect(mergeFields(text, DATA)).toBe(expected);
  });

  it.each<[string, string]>([
    ['an unknown tag', 'Hi {{NICKNAME}}!'],
    ['an unknown tag with spaces, as written', 'Hi {{ Nickname }}!'],
    ['single braces', 'Hi {FIRST_NAME}!'],
    ['an empty tag', 'Hi {{}}!'],
    ['a tag of spaces', 'Hi {{   }}!'],
    ['a name with a space', 'Hi {{FIRST NAME}}!'],
    ['a name with other punctuation', 'Hi {{FIRST_NAME!}}'],
    ['an unclosed tag', 'Hi {{FIRST_NAME}'],
    ['a name over 64 characters', `Hi {{${'A'.repeat(65)}}}`],
  ])('leaves %s visible', (_case, text) => {
    expect(mergeFields(text, DATA)).toBe(text);
  });

  it('merges a name of exactly 64 characters', () => {
    const name = 'A'.repeat(64);
    expect(mergeFields(`{{${name}}}`, { [name]: 'ok' })).toBe('ok');
  });

  it('mixes known and unknown tags', () => {
    expect(mergeFields('{{FIRST_NAME}} {{MIDDLE_NAME}} {{LAST_NAME}}', DATA)).toBe('John {{MIDDLE_NAME}} Smith');
  });

  it('matches data names in any case', () => {
    expect(mergeFields('{{FIRST_NAME}} {{Last_Name}}', { first_name: 'Zoë', Last_Name: 'Ünal' })).toBe('Zoë Ünal');
  });

  it('merges an empty value as empty', () => {
    expect(mergeFields('[{{NICK}}]', { NICK: '' })).toBe('[]');
  });

  it('inserts values literally: no $-patterns, no second pass', () => {
    expect(mergeFields('{{PRICE}}', { PRICE: "$& $' $` $$ $1" })).toBe("$& $' $` $$ $1");
    expect(mergeFields('{{A}} {{B}}', { A: '{{B}}', B: 'b' })).toBe('{{B}} b');
  });

  it('returns a text without tags unchanged', () => {
    expect(mergeFields('Show this ticket at the door.', DATA)).toBe('Show this ticket at the door.');
    expect(mergeFields('', DATA)).toBe('');
    expect(mergeFields('{{FIRST_NAME}}', {})).toBe('{{FIRST_NAME}}');
  });
});
