import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';

/** @public */
export type ActionButtonProps = ButtonProps & {
  /**
   * Why the action cannot be taken now (permission missing, a gate failing,
   * a freeze window): the button is disabled and says why, on hover and to
   * screen readers, instead of failing after the click.
   */
  disabledReason?: string;
};

/**
 * A button that is either enabled or disabled with a visible reason.
 *
 * @public
 */
export function ActionButton(props: ActionButtonProps) {
  const { disabledReason, disabled, children, ...rest } = props;
  if (!disabledReason) {
    return (
      <Button disabled={disabled} {...rest}>
        {children}
      </Button>
    );
  }
  // A disabled button gets no pointer events; the wrapper carries the tooltip.
  return (
    <Tooltip title={disabledReason}>
      <span>
        <Button disabled {...rest}>
          {children}
          {/* Screen readers hear the reason with the button's name. */}
          <Typography variant="srOnly" component="span">
            {` (${disabledReason})`}
          </Typography>
        </Button>
      </span>
    </Tooltip>
  );
}
