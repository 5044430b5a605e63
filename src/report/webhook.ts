// Notifications: a Slack-compatible incoming-webhook message after a run (Slack, Mattermost,
// Rocket.Chat and most chat tools accept { text, blocks }). Opt-in; the URL is a secret.
import type { RunRecord } from '../record/schema.ts';

export function webhookPayload(r: RunRecord, reportPath: string): { text: string; blocks: unknown[] } {
  const failing = r.verdicts.filter((v) => v.status !== 'pass');
  const icon = r.status === 'passed' ? ':white_check_mark:' : ':x:';
  const text = `${icon} Gauntlet ${r.command} ${r.status.toUpperCase()} on ${r.environment.name} (exit ${r.exitCode})`;
  const lines = failing
    .slice(0, 10)
    .map((v) => `• *${v.id}* (${v.status}): ${v.objective}${v.observed ? ` — observed ${v.observed}` : ''}`);
  if (failing.length > 10) lines.push(`… and ${failing.length - 10} more`);
  for (const e of r.errors.slice(0, 3)) lines.push(`• ${e}`);
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${text}*\n${r.verdicts.length - failing.length}/${r.verdicts.length} verdicts passed · run \`${r.runId}\` · took ${(r.durationMs / 1000).toFixed(1)} s`,
        },
      },
      ...(lines.length ? [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `report: ${reportPath}` }] },
    ],
  };
}

/** Posts the payload; resolves to a one-line problem, or undefined when the receiver took it. */
export async function postWebhook(url: string, payload: unknown, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok ? undefined : `the webhook answered ${res.status}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return e.name === 'TimeoutError'
      ? `the webhook did not answer within ${timeoutMs} ms`
      : `the webhook could not be reached (${e.cause?.code ?? e.message})`;
  }
}
