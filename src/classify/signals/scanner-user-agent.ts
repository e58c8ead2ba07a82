import type { RequestSignal } from '../signal.js';

const SCANNER =
  /(sqlmap|nikto|nuclei|zgrab|masscan|wpscan|dirbuster|gobuster|feroxbuster|ffuf|acunetix|nessus|openvas|netsparker|w3af|whatweb|nmap|jaeles|zmeu|morfeus|censys|l9explore|l9tcpid)/i;

export const scannerUserAgent: RequestSignal = {
  id: 'scanner-user-agent',
  stage: 'request',
  weight: 3,
  reason: 'the user agent names a vulnerability scanner',
  applies: (e) => e.user_agent !== null && SCANNER.test(e.user_agent),
};
