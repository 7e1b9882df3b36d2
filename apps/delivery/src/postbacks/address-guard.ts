import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a partner's postback URL may lead. A postback URL is the partner's input, so without a
 * guard an account could make our servers call into our own network (loopback admin ports, the
 * private network, the cloud's metadata service). Checked at send time on the addresses DNS gives,
 * and the connection goes to exactly the address checked, so a name that changes its answer
 * between check and connect (DNS rebinding) gains nothing.
 */

/** Ranges no postback may reach unless configuration allows private networks (dev and tests). */
const REFUSED: ReadonlyArray<readonly [network: string, prefix: number, family: 'ipv4' | 'ipv6', why: string]> = [
  ['0.0.0.0', 8, 'ipv4', 'this-network'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'unique local (private, cloud metadata)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const refusedRanges = REFUSED.map(([network, prefix, family, why]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, why };
});

/** IPv4 carried inside IPv6 (::ffff:a.b.c.d, NAT64 64:ff9b::/96) is judged as the IPv4 it is. */
function embeddedIpv4(address: string): string | undefined {
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [high, low] = [parseInt(hex[1] as string, 16), parseInt(hex[2] as string, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why an address is refused as a postback destination, or undefined when it may be called. */
export function refusedAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const inner = embeddedIpv4(address);
    if (inner !== undefined) return refusedAddressReason(inner);
  }
  const kind = family === 4 ? 'ipv4' : 'ipv6';
  return refusedRanges.find((range) => range.family === kind && range.list.check(address, kind))?.why;
}

export class RefusedDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedDestinationError';
  }
}

/** dns.lookup with `all: true`: what the guard asks (tests give their own answers). */
export type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request: resolves the name, refuses it when any address it has is in a
 * refused range (a name with one private address among public ones is refused whole), and hands
 * the connection the checked addresses only. Literal IP hosts never reach a lookup: see
 * `checkLiteralHost`.
 */
export function guardedLookup(allowPrivateNetworks: boolean, resolve: Resolver = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses;
      if (!allowPrivateNetworks) {
        for (const { address } of list) {
          const why = refusedAddressReason(address);
          if (why !== undefined) return callback(new RefusedDestinationError(`${hostname} resolves to ${address} (${why})`), []);
        }
      }
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (options.all === true) return callback(null, list);
      const first = list[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

/** A URL whose host is an IP literal connects without a lookup: it is checked here instead. */
export function checkLiteralHost(url: URL, allowPrivateNetworks: boolean): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (allowPrivateNetworks || isIP(host) === 0) return;
  const why = refusedAddressReason(host);
  if (why !== undefined) throw new RefusedDestinationError(`${host} is ${why}`);
}
