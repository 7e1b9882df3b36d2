import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ComposedMms } from '../compose/mms';
import { renderMimeMessage } from '../compose/mime';
import { CarrierLimits, DEFAULT_CARRIER_LIMITS } from '../handset/handset-profiles';
import { RoutedMmsTransport, SubmitResult, SubmitRoute, SubmitSlot } from './mms-transport';

/**
 * The transport used before any MMSC is configured: each message becomes a folder
 * `<outbox>/<TRACKINGID>/` with `message.mime` (the whole MIME message), `parts/` (each part as
 * a file) and `meta.json`. Written to a temporary folder and renamed into place, so a reader
 * never sees half a message and a rerun replaces the folder instead of adding a second one.
 * It stands in for every route, with the default connector's limits.
 */
export class OutboxTransport implements RoutedMmsTransport {
  private readonly root: string;

  constructor(
    outboxDir: string,
    private readonly limits: CarrierLimits = DEFAULT_CARRIER_LIMITS,
  ) {
    this.root = resolve(outboxDir);
  }

  limitsFor(): CarrierLimits {
    return this.limits;
  }

  /** A folder has no rate: every route has a slot at once. */
  async takeSlot(route: SubmitRoute): Promise<SubmitSlot> {
    return { route };
  }

  async submit(mms: ComposedMms): Promise<SubmitResult> {
    const folderName = mms.trackingId.replace(/[^A-Za-z0-9=_-]/g, '_');
    const finalDir = join(this.root, folderName);
    const tempDir = join(this.root, `.tmp-${folderName}-${randomBytes(4).toString('hex')}`);
    const message = renderMimeMessage(mms);
    await mkdir(join(tempDir, 'parts'), { recursive: true });
    try {
      await writeFile(join(tempDir, 'message.mime'), message);
      for (const part of mms.parts) await writeFile(join(tempDir, 'parts', part.location), part.body);
      const meta = {
        trackingId: mms.trackingId,
        from: mms.from,
        to: mms.to,
        subject: mms.subject,
        writtenAt: new Date().toISOString(),
        parts: mms.parts.map((p) => ({ contentId: p.contentId, contentType: p.contentType, location: p.location, size: p.body.length })),
      };
      await writeFile(join(tempDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
      await rm(finalDir, { recursive: true, force: true });
      await rename(tempDir, finalDir);
    } catch (error) {
      await rm(tempDir, { recursive: true, force: true });
      throw error;
    }
    return { transport: 'outbox', reference: finalDir, bytes: message.length };
  }
}
