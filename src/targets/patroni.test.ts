import { describe, expect, it } from 'vitest';
import { PatroniClusterBody, PatroniStatusBody } from './patroni.ts';
import { parseAnswer } from '../core/answer.ts';

const member = {
  name: 'n1',
  role: 'leader',
  state: 'running',
  host: '127.0.0.1',
  port: 5432,
  api_url: 'http://x/patroni',
};

describe("Patroni's REST API answers, parsed", () => {
  it('a /cluster answer: its members, unknown fields kept', () => {
    const c = parseAnswer(PatroniClusterBody, { members: [{ ...member, timeline: 3 }], scope: 's' }, 'u');
    expect(c.members[0]).toMatchObject({ name: 'n1', role: 'leader', timeline: 3 });
  });
  it('another shape is one line naming the URL and the field', () => {
    expect(() =>
      parseAnswer(PatroniClusterBody, { members: [{ ...member, api_url: 7 }] }, 'Patroni at http://h:8008/cluster'),
    ).toThrow(/^Patroni at http:\/\/h:8008\/cluster answered in a shape it does not use: members\.0\.api_url: /);
    expect(() => parseAnswer(PatroniClusterBody, '<html>502</html>', 'Patroni at http://h/cluster')).toThrow(
      /^Patroni at http:\/\/h\/cluster answered in a shape it does not use: /,
    );
  });
  it("a member's status: its state and version, both optional", () => {
    expect(parseAnswer(PatroniStatusBody, { state: 'running', patroni: { version: '3.0.2' } }, 'u')).toMatchObject({
      state: 'running',
      patroni: { version: '3.0.2' },
    });
    expect(parseAnswer(PatroniStatusBody, {}, 'u').state).toBeUndefined();
  });
});
