import { readFileSync } from 'node:fs';

/**
 * Validates JSON-protocol request and response bodies against an AWS service model (the
 * botocore `service-2.json` format) by walking its shapes. Generic on purpose: the same walker
 * checks WAFv2, Firehose and Athena bodies in the local endpoints the tests run against.
 *
 * It checks what the service itself checks before looking at the data: required members,
 * unknown members, list and map sizes, string lengths, patterns and enums, integer ranges, blobs
 * (base64 on the wire) and timestamps, through recursive shapes such as WAF's `Statement`.
 */

export interface ShapeRef {
  shape: string;
}

export interface Shape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'float'
    | 'double'
    | 'boolean'
    | 'blob'
    | 'timestamp';
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  union?: boolean;
  exception?: boolean;
}

export interface AwsModel {
  metadata: { protocol: string; targetPrefix?: string; jsonVersion?: string; endpointPrefix: string };
  operations: Record<string, { name: string; input?: ShapeRef; output?: ShapeRef; errors?: ShapeRef[] }>;
  shapes: Record<string, Shape>;
}

export interface ValidatorOptions {
  /**
   * Structures of which exactly one member must be set. The models do not mark WAF's tagged
   * unions (Statement, FieldToMatch, RuleAction, ...) as unions, but the service enforces it.
   */
  exactlyOneOf?: readonly string[];
}

export function loadAwsModel(path: string): AwsModel {
  return JSON.parse(readFileSync(path, 'utf8')) as AwsModel;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class AwsModelValidator {
  private readonly patterns = new Map<string, RegExp | null>();
  private readonly exactlyOne: ReadonlySet<string>;

  constructor(
    readonly model: AwsModel,
    options: ValidatorOptions = {},
  ) {
    this.exactlyOne = new Set(options.exactlyOneOf ?? []);
    for (const name of this.exactlyOne) {
      if (!model.shapes[name]) throw new Error(`exactlyOneOf names an unknown shape: ${name}`);
    }
  }

  /** Problems with an operation's input body; empty when valid. */
  validateInput(operation: string, body: unknown): string[] {
    const op = this.model.operations[operation];
    if (!op) return [`unknown operation ${operation}`];
    if (!op.input) return body === undefined || isEmptyObject(body) ? [] : [`${operation} takes no input`];
    return this.validateShape(op.input.shape, body);
  }

  /** Problems with an operation's output body; empty when valid. */
  validateOutput(operation: string, body: unknown): string[] {
    const op = this.model.operations[operation];
    if (!op) return [`unknown operation ${operation}`];
    if (!op.output) return [];
    return this.validateShape(op.output.shape, body);
  }

  validateShape(shapeName: string, value: unknown, path = '$'): string[] {
    const errors: string[] = [];
    this.walk(shapeName, value, path, errors);
    return errors;
  }

  private walk(shapeName: string, value: unknown, path: string, errors: string[]): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) {
      errors.push(`${path}: model has no shape ${shapeName}`);
      return;
    }
    if (value === null) {
      errors.push(`${path}: null is not a valid ${shapeName}`);
      return;
    }
    switch (shape.type) {
      case 'structure':
        this.walkStructure(shapeName, shape, value, path, errors);
        return;
      case 'list':
        this.walkList(shapeName, shape, value, path, errors);
        return;
      case 'map':
        this.walkMap(shapeName, shape, value, path, errors);
        return;
      case 'string':
        this.checkString(shapeName, shape, value, path, errors);
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          errors.push(`${path}: expected an integer (${shapeName}), got ${describe(value)}`);
          return;
        }
        this.checkRange(shapeName, shape, value, path, errors);
        return;
      case 'float':
      case 'double':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          errors.push(`${path}: expected a number (${shapeName}), got ${describe(value)}`);
          return;
        }
        this.checkRange(shapeName, shape, value, path, errors);
        return;
      case 'boolean':
        if (typeof value !== 'boolean')
          errors.push(`${path}: expected a boolean (${shapeName}), got ${describe(value)}`);
        return;
      case 'blob':
        this.checkBlob(shapeName, shape, value, path, errors);
        return;
      case 'timestamp':
        // The JSON protocols send epoch seconds; ISO strings appear in some hand-written bodies.
        if (typeof value !== 'number' && !(typeof value === 'string' && !Number.isNaN(Date.parse(value)))) {
          errors.push(`${path}: expected a timestamp (${shapeName}), got ${describe(value)}`);
        }
        return;
      default:
        errors.push(`${path}: unsupported shape type ${(shape as Shape).type} (${shapeName})`);
    }
  }

  private walkStructure(name: string, shape: Shape, value: unknown, path: string, errors: string[]): void {
    if (!isPlainObject(value)) {
      errors.push(`${path}: expected an object (${name}), got ${describe(value)}`);
      return;
    }
    const members = shape.members ?? {};
    for (const required of shape.required ?? []) {
      if (value[required] === undefined)
        errors.push(`${path}.${required}: required member of ${name} is missing`);
    }
    let set = 0;
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      const ref = members[key];
      if (!ref) {
        errors.push(`${path}.${key}: ${name} has no member ${key}`);
        continue;
      }
      set++;
      this.walk(ref.shape, member, `${path}.${key}`, errors);
    }
    if ((shape.union || this.exactlyOne.has(name)) && set !== 1) {
      errors.push(`${path}: exactly one member of ${name} must be set, found ${set}`);
    }
  }

  private walkList(name: string, shape: Shape, value: unknown, path: string, errors: string[]): void {
    if (!Array.isArray(value)) {
      errors.push(`${path}: expected a list (${name}), got ${describe(value)}`);
      return;
    }
    this.checkSize(name, shape, value.length, 'items', path, errors);
    const member = shape.member?.shape;
    if (!member) return;
    value.forEach((item, i) => {
      this.walk(member, item, `${path}[${i}]`, errors);
    });
  }

  private walkMap(name: string, shape: Shape, value: unknown, path: string, errors: string[]): void {
    if (!isPlainObject(value)) {
      errors.push(`${path}: expected a map (${name}), got ${describe(value)}`);
      return;
    }
    const entries = Object.entries(value);
    this.checkSize(name, shape, entries.length, 'entries', path, errors);
    for (const [key, item] of entries) {
      if (shape.key) this.walk(shape.key.shape, key, `${path}{${key}}`, errors);
      if (shape.value) this.walk(shape.value.shape, item, `${path}.${key}`, errors);
    }
  }

  private checkString(name: string, shape: Shape, value: unknown, path: string, errors: string[]): void {
    if (typeof value !== 'string') {
      errors.push(`${path}: expected a string (${name}), got ${describe(value)}`);
      return;
    }
    if (shape.enum && !shape.enum.includes(value)) {
      errors.push(`${path}: ${JSON.stringify(value)} is not one of ${name} [${shape.enum.join(', ')}]`);
    }
    // Smithy lengths count Unicode code points.
    this.checkSize(name, shape, [...value].length, 'characters', path, errors);
    if (shape.pattern) {
      const re = this.pattern(shape.pattern);
      if (re && !re.test(value)) {
        errors.push(`${path}: ${JSON.stringify(value)} does not match the ${name} pattern ${shape.pattern}`);
      }
    }
  }

  private checkBlob(name: string, shape: Shape, value: unknown, path: string, errors: string[]): void {
    if (typeof value !== 'string' || !BASE64.test(value)) {
      errors.push(`${path}: expected a base64 blob (${name}), got ${describe(value)}`);
      return;
    }
    this.checkSize(name, shape, Buffer.from(value, 'base64').length, 'bytes', path, errors);
  }

  private checkSize(
    name: string,
    shape: Shape,
    size: number,
    unit: string,
    path: string,
    errors: string[],
  ): void {
    if (shape.min !== undefined && size < shape.min)
      errors.push(`${path}: ${name} needs at least ${shape.min} ${unit}, got ${size}`);
    if (shape.max !== undefined && size > shape.max)
      errors.push(`${path}: ${name} allows at most ${shape.max} ${unit}, got ${size}`);
  }

  private checkRange(name: string, shape: Shape, value: number, path: string, errors: string[]): void {
    if (shape.min !== undefined && value < shape.min)
      errors.push(`${path}: ${name} must be >= ${shape.min}, got ${value}`);
    if (shape.max !== undefined && value > shape.max)
      errors.push(`${path}: ${name} must be <= ${shape.max}, got ${value}`);
  }

  /** Model patterns are Java regexes, unanchored unless they say so (Smithy semantics). */
  private pattern(source: string): RegExp | null {
    if (!this.patterns.has(source)) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(source, 'u');
      } catch {
        try {
          re = new RegExp(source);
        } catch {
          re = null;
        }
      }
      this.patterns.set(source, re);
    }
    return this.patterns.get(source) ?? null;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmptyObject(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  const text =
    typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : '';
  return text ? `${typeof value} ${text}` : typeof value;
}
