import type { InputHTMLAttributes } from 'react';

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  name: string;
  label: string;
  errors?: string[];
};

/** A labelled input with the API's messages for that input right under it. */
export function Field({ name, label, errors, ...input }: FieldProps) {
  const errorId = `${name}-errors`;
  const invalid = Boolean(errors && errors.length > 0);
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
        name={name}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? errorId : undefined}
        {...input}
      />
      {invalid && (
        <ul id={errorId} className="field-errors" data-testid={`error-${name}`}>
          {errors!.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
