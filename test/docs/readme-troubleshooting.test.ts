/**
 * README.md's troubleshooting table is the failure catalogue's: a new entry, a changed fix or a
 * hand edit of the table fails here until `npm run readme:troubleshooting` is run.
 */
import * as fs from 'fs';
import { CATALOGUE } from '../../core/failure-catalogue';
import { README, troubleshootingTable, withTable } from '../../scripts/troubleshooting';

const readme = fs.readFileSync(README, 'utf8');

test('the README\'s troubleshooting table is the one generated from the catalogue', () => {
  expect(readme).toBe(withTable(readme));
});

test('the table has one row per catalogue entry, with its example message', () => {
  const rows = troubleshootingTable().split('\n').slice(2);
  expect(rows).toHaveLength(CATALOGUE.length);
  CATALOGUE.forEach((entry, i) => {
    expect(rows[i].startsWith(`| ${entry.category} | `)).toBe(true);
    expect(rows[i]).toContain(entry.example.replace(/\|/g, '\\|').replace(/\s+/g, ' '));
  });
});
