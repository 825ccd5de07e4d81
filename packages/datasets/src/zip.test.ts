import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { extractZipMembers } from './zip.js';

describe('extractZipMembers', () => {
  it('finds wanted members by file name in any folder and skips macOS resource forks', () => {
    const archive = zipSync({
      'ml-100k/u.data': strToU8('1\t2\t3\t4\n'),
      'ml-100k/allbut.pl': strToU8('perl'),
      '__MACOSX/ml-100k/._u.data': strToU8('junk'),
    });
    const members = extractZipMembers(archive, ['u.data', 'u.item']);
    expect([...members.keys()]).toEqual(['u.data']);
    expect(new TextDecoder().decode(members.get('u.data'))).toBe('1\t2\t3\t4\n');
  });

  it('reports a corrupt archive', () => {
    expect(() => extractZipMembers(Uint8Array.of(1, 2, 3, 4, 5), ['x'], 'bad.zip')).toThrow(/bad\.zip: corrupt zip archive/);
  });
});
