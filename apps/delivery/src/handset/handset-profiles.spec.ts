import { GENERIC_PROFILE, HANDSET_PROFILES, chooseHandsetProfile } from './handset-profiles';

describe('handset profiles', () => {
  it.each([
    ['iPhoneOS', null, HANDSET_PROFILES.videoRich],
    ['Android 14', null, HANDSET_PROFILES.videoRich],
    ['Nokia S40 feature phone', null, HANDSET_PROFILES.imageBasic],
    [null, 'iPhoneOS', HANDSET_PROFILES.videoRich],
    ['unknown-device', 'basic-phone', HANDSET_PROFILES.imageBasic],
    ['unknown-device', null, GENERIC_PROFILE],
    [null, null, GENERIC_PROFILE],
  ])('DEVICE %p, last known %p', (device, known, expected) => {
    expect(chooseHandsetProfile(device, known)).toBe(expected);
  });

  it('prefers the DEVICE the partner sent over the last reported handset', () => {
    expect(chooseHandsetProfile('basic', 'iPhoneOS')).toBe(HANDSET_PROFILES.imageBasic);
  });

  it('follows the OMA content classes', () => {
    expect(HANDSET_PROFILES.imageBasic).toMatchObject({ maxWidth: 160, maxHeight: 120, maxMessageBytes: 30_000 });
    expect(GENERIC_PROFILE).toMatchObject({ name: 'image-rich', maxWidth: 640, maxHeight: 480, maxMessageBytes: 100_000 });
  });
});
