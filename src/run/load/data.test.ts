import { describe, expect, it } from 'vitest';
import { dataErrorClass } from './data.ts';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('the error class of a failed statement or command', () => {
  it('PostgreSQL: by SQLSTATE — serialization, deadlock, statement timeout, read-only replica, shutdown, else the class', () => {
    expect(dataErrorClass('postgres', pgError('40001')).cls).toBe('db_serialization');
    expect(dataErrorClass('postgres', pgError('40P01')).cls).toBe('db_deadlock');
    expect(dataErrorClass('postgres', pgError('57014', 'canceling statement due to statement timeout')).cls).toBe(
      'timeout',
    );
    expect(dataErrorClass('postgres', pgError('25006', 'cannot execute INSERT in a read-only transaction')).cls).toBe(
      'db_read_only',
    );
    expect(
      dataErrorClass('postgres', pgError('57P01', 'terminating connection due to administrator command')).cls,
    ).toBe('db_unavailable');
    expect(dataErrorClass('postgres', pgError('08006')).cls).toBe('reset');
    expect(dataErrorClass('postgres', pgError('22012', 'division by zero'))).toEqual({
      cls: 'db_sqlstate_22',
      reason: 'division by zero',
    });
  });

  it('the network: refused, reset, timed out — the same classes as HTTP', () => {
    expect(dataErrorClass('postgres', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')).cls).toBe(
      'refused',
    );
    expect(dataErrorClass('postgres', new Error('Connection terminated unexpectedly')).cls).toBe('reset');
    expect(dataErrorClass('redis', pgError('ECONNRESET')).cls).toBe('reset');
    expect(dataErrorClass('redis', new Error('Command timed out')).cls).toBe('timeout');
    expect(dataErrorClass('redis', new Error('Connection is closed.')).cls).toBe('reset');
  });

  it("Redis: by its error reply's code", () => {
    expect(
      dataErrorClass('redis', new Error("NOPERM User reader has no permissions to run the 'set' command")).cls,
    ).toBe('redis_noperm');
    expect(dataErrorClass('redis', new Error("READONLY You can't write against a read only replica.")).cls).toBe(
      'redis_readonly',
    );
    expect(
      dataErrorClass('redis', new Error('WRONGTYPE Operation against a key holding the wrong kind of value')).cls,
    ).toBe('redis_wrongtype');
    expect(dataErrorClass('redis', new Error('something odd')).cls).toBe('other');
  });
});
