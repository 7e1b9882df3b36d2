import { escapeXml } from '@mms/contracts';
import { readAddress } from './address';
import { Mm7ReadError, field, readEnvelope, statusElement, text, writeEnvelope } from './envelope';
import { Mm7Release, Mm7Version, releaseFor, releaseOf } from './releases';
import { Mm7Status, statusClass } from './status';

/** What an MM7 DeliveryReportReq (3GPP TS 23.140 §8.7.5) tells us. */
export interface DeliveryReportFields {
  readonly transactionId: string | undefined;
  readonly mmscMessageId: string;
  readonly recipient: string | undefined;
  readonly sender: string | undefined;
  readonly mmStatus: string;
  readonly statusText: string | undefined;
  /** The recipient's handset: UACapabilities' UAProf, as attribute or element. */
  readonly handset: string | undefined;
  readonly reportedAt: Date | undefined;
  /** The MM7Version the MMSC wrote: the answer is given in the same release. */
  readonly mm7Version: string | undefined;
}

/** A report we cannot apply; the message names the problem and goes back in a SOAP Fault. */
export class InvalidDeliveryReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDeliveryReportError';
  }
}

export function parseDeliveryReport(envelopeXml: string): DeliveryReportFields {
  let envelope;
  try {
    envelope = readEnvelope(envelopeXml);
  } catch (error) {
    if (error instanceof Mm7ReadError) throw new InvalidDeliveryReportError(error.message);
    throw error;
  }
  const report = envelope.body['DeliveryReportReq'];
  if (report === undefined) throw new InvalidDeliveryReportError('no DeliveryReportReq in the SOAP body');
  const mmscMessageId = text(field(report, 'MessageID'));
  const mmStatus = text(field(report, 'MMStatus'));
  if (mmscMessageId === undefined || mmStatus === undefined) {
    throw new InvalidDeliveryReportError('DeliveryReportReq needs MessageID and MMStatus');
  }
  const date = text(field(report, 'Date'));
  const reportedAt = date === undefined ? undefined : new Date(date);
  const capabilities = field(report, 'UACapabilities');
  return {
    transactionId: envelope.transactionId,
    mmscMessageId,
    recipient: readAddress(field(report, 'Recipient'), text),
    sender: readAddress(field(report, 'Sender'), text),
    mmStatus,
    statusText: text(field(report, 'StatusText')),
    handset: text(field(capabilities, '@UAProf')) ?? text(field(capabilities, 'UAProf')) ?? text(capabilities),
    reportedAt: reportedAt !== undefined && !Number.isNaN(reportedAt.getTime()) ? reportedAt : undefined,
    mm7Version: text(field(report, 'MM7Version')),
  };
}

/** DeliveryReportRsp 1000, in the release the MMSC spoke (REL-5 MMSCs reject REL-6 answers). */
export function writeDeliveryReportRsp(transactionId: string | undefined, mm7Version: string | undefined): string {
  const release = releaseOf(mm7Version);
  return writeEnvelope(release, transactionId, [
    `<DeliveryReportRsp xmlns="${release.namespace}">`,
    `  <MM7Version>${release.version}</MM7Version>`,
    `  ${statusElement(Mm7Status.Success, 'Success')}`,
    '</DeliveryReportRsp>',
  ]);
}

/**
 * A SOAP Fault carrying an RSErrorRsp with the MM7 status code: how an MMSC is told its request
 * was refused (TS 23.140 §8.7.13). `env:Client` when the request is at fault; `env:Server` for a
 * 3xxx code (server errors: our side failed, and the MMSC may try again later).
 */
export function writeFault(transactionId: string | undefined, code: number, reason: string, version: Mm7Version | Mm7Release = '6.8.0'): string {
  const release = typeof version === 'string' ? releaseFor(version) : version;
  return writeEnvelope(release, transactionId, [
    '<env:Fault>',
    `  <faultcode>${statusClass(code) === 3000 ? 'env:Server' : 'env:Client'}</faultcode>`,
    `  <faultstring>${escapeXml(reason)}</faultstring>`,
    '  <detail>',
    `    <RSErrorRsp xmlns="${release.namespace}">`,
    `      <MM7Version>${release.version}</MM7Version>`,
    `      ${statusElement(code, reason)}`,
    '    </RSErrorRsp>',
    '  </detail>',
    '</env:Fault>',
  ]);
}

