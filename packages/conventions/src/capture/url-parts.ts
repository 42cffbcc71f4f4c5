/** Host and path of a URL string, by string work only. Never throws. @internal */
export function splitUrlParts(url: string): { host?: string; pathname: string } {
  const authorityStart = url.indexOf('//');
  if (authorityStart === -1) return { pathname: url.split(/[?#]/, 1)[0] ?? '' };
  const rest = url.slice(authorityStart + 2);
  const pathStart = rest.search(/[/?#]/);
  let host = pathStart === -1 ? rest : rest.slice(0, pathStart);
  const at = host.lastIndexOf('@');
  if (at !== -1) host = host.slice(at + 1);
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1) host = host.slice(0, colon);
  }
  const afterHost = pathStart === -1 ? '' : rest.slice(pathStart);
  const pathname = afterHost.startsWith('/') ? (afterHost.split(/[?#]/, 1)[0] ?? '/') : '/';
  return host ? { host: host.toLowerCase(), pathname } : { pathname };
}
