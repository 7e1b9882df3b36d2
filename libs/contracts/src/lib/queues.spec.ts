import { InvalidJobPayloadError, isJobName, jobIdFor, jobIdOf, JobName, jobPayloadSchemas, parseJobPayload, QueueName, queueOfJob } from './queues';

const TRACKING_ID = 'TU1TXzEyMzQ2';
const IMAGE_KEY = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

function payloadError(name: JobName, data: unknown): InvalidJobPayloadError {
  try {
    parseJobPayload(name, data);
  } catch (error) {
    if (error instanceof InvalidJobPayloadError) return error;
    throw error;
  }
  throw new Error('expected InvalidJobPayloadError, the payload was accepted');
}

describe('names', () => {
  it('queue and job names are the persisted values', () => {
    expect(QueueName).toStrictEqual({
      Barcode: 'barcode',
      Delivery: 'delivery',
      DeliveryReport: 'delivery-report',
      Postback: 'postback',
      InternalSend: 'internal-send',
    });
    expect(JobName).toStrictEqual({
      RenderBarcode: 'barcode.render',
      SubmitMms: 'delivery.submit',
      ApplyDeliveryReport: 'delivery.report',
      SendPostback: 'postback.send',
    });
  });

  it('queueOfJob puts each job on its queue', () => {
    expect(queueOfJob).toStrictEqual({
      'barcode.render': 'barcode',
      'delivery.submit': 'delivery',
      'delivery.report': 'delivery-report',
      'postback.send': 'postback',
    });
  });

  it('delivery report jobs are keyed by report id, postbacks by postback id, message jobs by tracking id', () => {
    expect(jobIdOf({ reportId: 42 })).toBe('report-42');
    expect(jobIdOf({ postbackId: 42 })).toBe('postback-42');
    expect(() => parseJobPayload('postback.send', { postbackId: 0 })).toThrow(InvalidJobPayloadError);
    expect(jobIdOf({ trackingId: 'TU1TXzEyMzQ2' })).toBe('TU1TXzEyMzQ2');
    expect(parseJobPayload('delivery.report', { reportId: 7 })).toStrictEqual({ reportId: 7 });
    expect(() => parseJobPayload('delivery.report', { reportId: -1 })).toThrow(InvalidJobPayloadError);
  });

  it('every job name has a queue and a payload schema', () => {
    expect(Object.keys(queueOfJob).sort()).toStrictEqual(Object.values(JobName).sort());
    expect(Object.keys(jobPayloadSchemas).sort()).toStrictEqual(Object.values(JobName).sort());
  });

  it.each<[string, boolean]>([
    ['barcode.render', true],
    ['delivery.submit', true],
    ['barcode', false],
    ['delivery', false],
    ['BARCODE.RENDER', false],
    ['barcode.render ', false],
    ['', false],
    ['toString', false],
    ['constructor', false],
    ['__proto__', false],
  ])('isJobName(%p) is %p', (name, expected) => {
    expect(isJobName(name)).toBe(expected);
  });
});

describe('parseJobPayload', () => {
  it.each<[JobName, Record<string, string>]>([
    ['barcode.render', { trackingId: TRACKING_ID }],
    ['delivery.submit', { trackingId: TRACKING_ID, imageKey: IMAGE_KEY }],
    ['barcode.render', { trackingId: 'abcd' }],
    ['barcode.render', { trackingId: 'A'.repeat(64) }],
    ['barcode.render', { trackingId: 'a+b/c=d_e-f' }],
  ])('%s accepts %p', (name, data) => {
    expect(parseJobPayload(name, data)).toStrictEqual(data);
  });

  it.each<[string, JobName, unknown, string]>([
    ['an extra key', 'barcode.render', { trackingId: TRACKING_ID, imageKey: IMAGE_KEY }, '(root): Unrecognized key: "imageKey"'],
    ['an extra key on submit', 'delivery.submit', { trackingId: TRACKING_ID, imageKey: IMAGE_KEY, retry: 1 }, '(root): Unrecognized key: "retry"'],
    ['a numeric tracking id', 'barcode.render', { trackingId: 12346 }, 'trackingId: Invalid input: expected string, received number'],
    ['a missing tracking id', 'barcode.render', {}, 'trackingId: Invalid input: expected string, received undefined'],
    ['a tracking id with a colon', 'barcode.render', { trackingId: 'TU1T:XzEy' }, 'trackingId: not a tracking id'],
    ['a tracking id with a space', 'barcode.render', { trackingId: 'TU1T XzEy' }, 'trackingId: not a tracking id'],
    ['a tracking id of 3 characters', 'barcode.render', { trackingId: 'abc' }, 'trackingId: not a tracking id'],
    ['a tracking id of 65 characters', 'barcode.render', { trackingId: 'a'.repeat(65) }, 'trackingId: not a tracking id'],
    ['a missing image key', 'delivery.submit', { trackingId: TRACKING_ID }, 'imageKey: Invalid input: expected string, received undefined'],
    ['an upper-case image key', 'delivery.submit', { trackingId: TRACKING_ID, imageKey: IMAGE_KEY.toUpperCase() }, 'imageKey: not an image key'],
    ['an image key of 63 digits', 'delivery.submit', { trackingId: TRACKING_ID, imageKey: IMAGE_KEY.slice(1) }, 'imageKey: not an image key'],
    ['an image key of 65 digits', 'delivery.submit', { trackingId: TRACKING_ID, imageKey: `${IMAGE_KEY}0` }, 'imageKey: not an image key'],
    ['a non-hex image key', 'delivery.submit', { trackingId: TRACKING_ID, imageKey: `g${IMAGE_KEY.slice(1)}` }, 'imageKey: not an image key'],
    ['a path as image key', 'delivery.submit', { trackingId: TRACKING_ID, imageKey: '../../etc/passwd' }, 'imageKey: not an image key'],
    ['a numeric image key', 'delivery.submit', { trackingId: TRACKING_ID, imageKey: 42 }, 'imageKey: Invalid input: expected string, received number'],
    ['null', 'barcode.render', null, '(root): Invalid input: expected object, received null'],
    ['a string', 'barcode.render', TRACKING_ID, '(root): Invalid input: expected object, received string'],
    ['an array', 'barcode.render', [TRACKING_ID], '(root): Invalid input: expected object, received array'],
    [
      'two bad fields',
      'delivery.submit',
      { trackingId: 1, imageKey: 2 },
      'trackingId: Invalid input: expected string, received number; imageKey: Invalid input: expected string, received number',
    ],
  ])('refuses %s, naming the field', (_case, name, data, issues) => {
    const error = payloadError(name, data);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidJobPayloadError');
    expect(error.message).toBe(`invalid payload for job ${name}: ${issues}`);
  });
});

describe('jobIdFor', () => {
  it.each([TRACKING_ID, 'abcd', 'a+b/c=='])('uses the tracking id %p itself', (trackingId) => {
    expect(jobIdFor(trackingId)).toBe(trackingId);
  });

  it.each(['TU1T:XzEy', ':', 'bull:delivery:1'])('refuses %p (":" is BullMQ\'s key separator)', (trackingId) => {
    expect(() => jobIdFor(trackingId)).toThrow(new Error(`tracking id ${trackingId} cannot be a job id`));
  });
});
