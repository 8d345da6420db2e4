import dns from 'node:dns';
import { guardedLookup, isForbiddenAddress, LOOKUP_WAIT_MS, resolvedProblem, urlProblem } from './receiver-address';
import { sendAlert } from './webhook-sender';

describe('isForbiddenAddress', () => {
  it('refuses link-local and metadata addresses, in every spelling', () => {
    for (const address of [
      '169.254.169.254',
      '169.254.0.1',
      'fe80::1',
      'febf::1',
      'fd00:ec2::254',
      '::ffff:169.254.169.254',
      '100.100.100.200',
    ]) {
      expect({ address, forbidden: isForbiddenAddress(address) }).toEqual({ address, forbidden: true });
    }
  });

  it('allows loopback, private and public addresses', () => {
    for (const address of [
      '127.0.0.1',
      '::1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      'fd12:3456::1',
      '8.8.8.8',
      '169.253.255.255',
      '169.255.0.1',
    ]) {
      expect({ address, forbidden: isForbiddenAddress(address) }).toEqual({ address, forbidden: false });
    }
  });
});

describe('urlProblem', () => {
  it('accepts http(s) receivers on loopback, private networks and public names', () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'https://10.0.0.5/x',
      'http://[::1]:9000/',
      'https://hooks.slack.com/services/T/B/X',
    ]) {
      expect({ url, problem: urlProblem(url) }).toEqual({ url, problem: null });
    }
  });

  it('refuses other schemes, link-local and metadata hosts', () => {
    expect(urlProblem('ftp://127.0.0.1/')).toMatch(/http or https/);
    expect(urlProblem('nonsense')).toMatch(/absolute http/);
    expect(urlProblem('http://169.254.169.254/latest/meta-data/')).toMatch(/link-local or cloud metadata/);
    expect(urlProblem('http://0xa9.0xfe.0xa9.0xfe/')).toMatch(/link-local or cloud metadata/);
    expect(urlProblem('http://[fe80::1%25eth0]/')).not.toBeNull();
    expect(urlProblem('http://Metadata.Google.Internal./computeMetadata/v1/')).toMatch(/metadata service/);
    expect(urlProblem(`http://example.com/${'x'.repeat(2048)}`)).toMatch(/at most 2048/);
  });
});

describe('names resolving to a forbidden address (DNS rebinding)', () => {
  afterEach(() => jest.restoreAllMocks());

  const resolveTo = (address: string) =>
    jest.spyOn(dns, 'lookup').mockImplementation(((
      _host: string,
      options: unknown,
      callback: (...a: unknown[]) => void,
    ) => {
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      if (all) callback(null, [{ address, family: 4 }]);
      else callback(null, address, 4);
    }) as unknown as typeof dns.lookup);

  it('are refused when the channel is made', async () => {
    resolveTo('169.254.169.254');
    expect(await resolvedProblem('http://rebind.example.test/hook')).toMatch(/resolves to 169\.254\.169\.254/);
  });

  it('are refused at delivery, even when they resolved elsewhere before: nothing is sent', async () => {
    resolveTo('169.254.169.254');
    const result = await sendAlert({ url: 'http://rebind.example.test/hook', secret: null, eventId: 'e', body: '{}' });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/EFORBIDDENADDRESS.*169\.254\.169\.254/) });
  });
});

describe("receivers' names are looked up one at a time", () => {
  afterEach(() => jest.restoreAllMocks());

  it('so a resolver that does not answer holds one thread of the pool, and lookups queued past the wait are not asked', async () => {
    const pending: ((...a: unknown[]) => void)[] = [];
    const asked = jest
      .spyOn(dns, 'lookup')
      .mockImplementation(((_host: string, _options: unknown, callback: (...a: unknown[]) => void) =>
        pending.push(callback)) as unknown as typeof dns.lookup);
    const answers: (string | null)[] = [];
    const collect = (error: NodeJS.ErrnoException | null) => answers.push(error ? (error.code ?? 'error') : null);
    for (let i = 0; i < 3; i++) guardedLookup(`slow-${i}.example.test`, {}, collect);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toHaveBeenCalledTimes(1);

    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + LOOKUP_WAIT_MS + 1);
    pending[0](null, '10.0.0.1', 4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toHaveBeenCalledTimes(1);
    expect(answers).toEqual([null, 'ETIMEOUT', 'ETIMEOUT']);
  });
});
